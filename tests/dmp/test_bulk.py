"""Bulk seeding (simulators/dmp/bulk.py): each row is exactly what `entry_row` writes for the same entry,
indexes are back after a load that dropped them, and the registry answers queries on the rows."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import inspect, select

from simulators.core.db import open_database
from simulators.dmp.bulk import bulk_seed
from simulators.dmp.model import Author, Code, DocumentEntry
from simulators.dmp.store import DmpStore
from simulators.dmp.tables import entry_row

TEMPLATE = DocumentEntry(
    entry_uuid="urn:uuid:t", unique_id="0", lid="urn:uuid:t", patient_id="1^^^&1.2&ISO^NH", source_patient_id="1^^^&1.2&ISO^NH",
    class_code=Code("10", "1.2.250.1.213.1.1.4.1", "Compte rendu"), type_code=Code("11488-4", "2.16.840.1.113883.6.1", "CR"),
    confidentiality=[Code("N", "2.16.840.1.113883.5.25", "Normal")], title="Modèle « é »", mime_type="text/xml", hash="ab",
    size=3, authors=[Author(person="p", institutions=["X^^^^^^^^^3123"])], repository_uid="1.2.3", creation_time="20250101",
    service_start="2025")


def test_bulk_rows_are_the_rows_of_entry_row(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'b.db'}")
    try:
        store = DmpStore(db)
        overrides = [
            {"entry_uuid": "urn:uuid:1", "unique_id": "2.25.1", "patient_id": "2^^^&1.2&ISO^NH", "created": 1.0},
            {"entry_uuid": "urn:uuid:2", "unique_id": "2.25.2", "type_code": Code("68817-6", "2.16.840.1.113883.6.1"),
             "class_code": Code("urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1", "x"), "creation_time": "202502031015",
             "service_start": "20250203", "title": "Titre \"é\" <&>\n", "created": 2.0},
            {"entry_uuid": "urn:uuid:3", "lid": "urn:uuid:L", "unique_id": "2.25.3", "source_patient_id": "s^^^&9&ISO",
             "status": "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated", "service_stop": "2026", "created": 3.0}]
        assert bulk_seed(store, "s", TEMPLATE, overrides, content=b"abc", rebuild_indexes=True) == 3
        t = store.t["entries"]
        with db.engine.connect() as conn:
            rows = {r.entry_uuid: dict(r._mapping) for r in conn.execute(select(t))}
        for o in overrides:
            fields = {k: v for k, v in o.items() if k != "created"}
            fields.setdefault("lid", o["entry_uuid"])
            fields.setdefault("source_patient_id", o.get("patient_id", TEMPLATE.patient_id))
            expected = entry_row("s", dataclasses.replace(TEMPLATE, **fields), o["created"])
            assert rows[o["entry_uuid"]] == expected
        assert {i["name"] for i in inspect(db.engine).get_indexes("dmp_entries")} >= {i.name for i in t.indexes}
        assert store.document("s", "2.25.2") == ("1.2.3", "text/xml", b"abc")
        assert [e.entry_uuid for e in store.entries_where("s", t.c.type_code == "68817-6")] == ["urn:uuid:2"]
    finally:
        db.dispose()
