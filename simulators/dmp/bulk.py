"""Bulk seeding of a DMP registry for the benchmark (100,000 to 1,000,000 document entries).

`bulk_seed` writes rows straight into the entry and document tables, with no business check: every
entry is one template `DocumentEntry` with a few fields replaced per row (ids, patient, codes, times).
The JSON kept beside the indexed columns is assembled from the template's serialisation cut at those
fields, so a row costs a few string joins instead of a `json.dumps`; it is the very text `entry_row`
writes for the same entry (tests/dmp/test_bulk.py). Rows go through the driver's `executemany` with
one prepared statement per table, one transaction per batch (a crash leaves whole batches). On SQLite,
`rebuild_indexes=True` drops the entry table's secondary indexes for the load and builds them again at the
end (much faster than maintaining them row by row).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, fields
from typing import Any

from sqlalchemy import insert
from sqlalchemy.schema import CreateIndex, DropIndex

from simulators.dmp.model import SIGNATURE_CLASS, Code, DocumentEntry, pad_time
from simulators.dmp.store import DmpStore
from simulators.dmp.tables import entry_row

#: the fields a row may replace; lid and source_patient_id follow entry_uuid and patient_id unless given
VARIABLE = ("entry_uuid", "lid", "unique_id", "patient_id", "source_patient_id", "class_code", "type_code",
            "creation_time", "service_start", "service_stop", "title", "status")
_encode = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


def _value_json(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, Code):
        return json.dumps(asdict(value), ensure_ascii=False)
    return _encode(value)


class _Template:
    """The template's JSON cut around the variable fields (dataclass field order, as `to_json` keeps it)."""

    def __init__(self, template: DocumentEntry) -> None:
        data = template.to_json()
        marks = {name: f"\x00{name}\x00" for name in VARIABLE}
        text = json.dumps({k: marks.get(k, v) for k, v in data.items()}, ensure_ascii=False)
        self.pieces: list[str] = []
        self.order: list[str] = []
        for name in [f.name for f in fields(DocumentEntry) if f.name in marks]:
            before, _, text = text.partition(json.dumps(marks[name]))
            self.pieces.append(before)
            self.order.append(name)
        self.pieces.append(text)
        self.template = template
        self._codes: dict[Code, str] = {}

    def values(self, row: Mapping[str, Any]) -> dict[str, Any]:
        out = {name: row[name] if name in row else getattr(self.template, name) for name in VARIABLE}
        if "lid" not in row:
            out["lid"] = out["entry_uuid"]
        if "source_patient_id" not in row:
            out["source_patient_id"] = out["patient_id"]
        return out

    def data(self, values: Mapping[str, Any]) -> str:
        parts = [self.pieces[0]]
        for name, piece in zip(self.order, self.pieces[1:], strict=True):
            value = values[name]
            if isinstance(value, Code):
                text = self._codes.get(value)
                if text is None:
                    text = self._codes[value] = _value_json(value)
            else:
                text = _value_json(value)
            parts.append(text)
            parts.append(piece)
        return "".join(parts)


def _insert_sql(table: Any, columns: Sequence[str], dialect: Any) -> tuple[str, list[str]]:
    """The dialect's INSERT text, compiled once, and the column order of its positional parameters."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    return str(compiled), list(compiled.positiontup or columns)


def bulk_seed(store: DmpStore, session: str, template: DocumentEntry, rows: Iterable[Mapping[str, Any]], *,
              content: bytes, batch: int = 20_000, rebuild_indexes: bool = False) -> int:
    """Insert one entry (and its document `content`) per row of field overrides; returns the count.

    A row may also carry `created` (the registry's insertion time, which orders FindDocuments answers)."""
    store.create_tables()
    entries, docs = store.t["entries"], store.t["docs"]
    tpl = _Template(template)
    base = entry_row(session, template, 0.0)
    ecols = list(base)
    dcols = ["session", "unique_id", "repository_uid", "mime_type", "hash", "size", "content"]
    engine = store.db.engine
    positional = engine.dialect.positional
    (esql, ecols), (dsql, dcols) = _insert_sql(entries, ecols, engine.dialect), _insert_sql(docs, dcols, engine.dialect)
    sqlite = engine.dialect.name == "sqlite"
    indexes = sorted(entries.indexes, key=lambda i: i.name or "") if rebuild_indexes and sqlite else []
    doc_base = {"session": session, "repository_uid": template.repository_uid, "mime_type": template.mime_type,
                "hash": template.hash, "size": len(content), "content": content}
    count = 0
    now = time.time()
    padded: dict[str, str] = {}  # times repeat across rows: pad each once

    def pad(value: str) -> str:
        out = padded.get(value)
        if out is None:
            out = padded[value] = pad_time(value)
        return out

    with engine.begin() as conn:
        for index in indexes:
            conn.execute(DropIndex(index, if_exists=True))
    e_batch: list[Any] = []
    d_batch: list[Any] = []

    def flush() -> None:  # one transaction per batch: the WAL stays small (one for 1M rows grew to GBs)
        if e_batch:
            with engine.begin() as conn:
                conn.exec_driver_sql(esql, e_batch)
                conn.exec_driver_sql(dsql, d_batch)
            e_batch.clear()
            d_batch.clear()

    try:
        for row in rows:
            v = tpl.values(row)
            cls, typ = v["class_code"], v["type_code"]
            record = dict(base, entry_uuid=v["entry_uuid"], lid=v["lid"] or v["entry_uuid"], unique_id=v["unique_id"],
                          patient_ins=v["patient_id"].split("^")[0], status=v["status"],
                          class_code=cls.code if cls else None, type_code=typ.code if typ else None,
                          creation_time=pad(v["creation_time"]), service_start=pad(v["service_start"]),
                          service_stop=pad(v["service_stop"]), created=row.get("created", now + count * 1e-6),
                          is_signature=cls is not None and cls.code == SIGNATURE_CLASS,
                          data=tpl.data(v))
            doc = dict(doc_base, unique_id=v["unique_id"])
            e_batch.append(tuple([record[c] for c in ecols]) if positional else record)
            d_batch.append(tuple([doc[c] for c in dcols]) if positional else doc)
            count += 1
            if len(e_batch) >= batch:
                flush()
        flush()
    finally:  # the indexes come back even when a batch failed
        with engine.begin() as conn:
            for index in indexes:
                conn.execute(CreateIndex(index, if_not_exists=True))
    return count


__all__ = ["VARIABLE", "bulk_seed"]
