"""The journal's table and the conversion of an `Exchange` to and from its row (JSON columns, raw bodies).

Row building runs once per recorded exchange under the journal's commit lock, so it avoids per-call
setup (the JSON encoders are built once, an exchange without verdicts stores a constant)."""

from __future__ import annotations

import json

from sqlalchemy import Column, Float, Index, Integer, LargeBinary, RowMapping, String, Table, Text

from .db import Database
from .exchange import Caller, Exchange, Verdict


def exchanges_table(db: Database) -> Table:
    if "exchanges" in db.metadata.tables:
        return db.metadata.tables["exchanges"]
    return Table(
        "exchanges", db.metadata,
        Column("id", String(40), primary_key=True),
        Column("session", String(64), nullable=False),
        Column("service", String(32), nullable=False),
        Column("operation", String(128), nullable=False),
        Column("protocol", String(16), nullable=False),
        Column("started_at", Float, nullable=False),
        Column("duration_ms", Float, nullable=False),
        Column("status", Integer, nullable=False),
        Column("fault", String(128), nullable=False),
        Column("method", String(16), nullable=False),
        Column("path", Text, nullable=False),
        Column("caller", Text, nullable=False),
        Column("request_headers", Text, nullable=False),
        Column("request_body", LargeBinary, nullable=False),
        Column("response_headers", Text, nullable=False),
        Column("response_body", LargeBinary, nullable=False),
        Column("request_size", Integer, nullable=False),
        Column("response_size", Integer, nullable=False),
        Column("summary", Text, nullable=False),
        Column("verdicts", Text, nullable=False),
        Index("ix_exchanges_session_time", "session", "started_at"),
        # pages of a session are read newest first by id: without it, a 1,000,000-exchange session is
        # sorted whole for each page (2.3 s per page in `bench sizes`)
        Index("ix_exchanges_session_id", "session", "id"),
        Index("ix_exchanges_session_service", "session", "service", "operation"),
    )


def verdicts_table(db: Database) -> Table:
    """The verdicts (and the summary the judge annotated) of each judged exchange, in their own small rows:
    storing them in `exchanges` rewrote the whole row, bodies included (SQLite rewrites a record and its
    overflow pages on UPDATE: 0.55 ms for a 130 KB ROR page, 0.09 ms as an insert here). Readers take these
    when present, else the columns of `exchanges` (rows written before this table, bulk-seeded rows)."""
    if "exchange_verdicts" in db.metadata.tables:
        return db.metadata.tables["exchange_verdicts"]
    return Table("exchange_verdicts", db.metadata, Column("id", String(40), primary_key=True),
                 Column("summary", Text, nullable=False), Column("verdicts", Text, nullable=False))


# one encoder each, built once: json.dumps with options builds a new encoder per call
_dump_any = json.JSONEncoder(ensure_ascii=False, default=str).encode
_dump = json.JSONEncoder(ensure_ascii=False).encode


def verdicts_json(verdicts: list[Verdict]) -> str:
    return _dump([v.__dict__ for v in verdicts]) if verdicts else "[]"


def to_row(ex: Exchange) -> dict:
    return {
        "id": ex.id, "session": ex.session, "service": ex.service, "operation": ex.operation,
        "protocol": ex.protocol, "started_at": ex.started_at, "duration_ms": ex.duration_ms,
        "status": ex.status, "fault": ex.fault, "method": ex.method, "path": ex.path,
        "caller": _dump_any(ex.caller.__dict__),
        "request_headers": _dump(ex.request_headers),
        "request_body": ex.request_body,
        "response_headers": _dump(ex.response_headers),
        "response_body": ex.response_body,
        "request_size": ex.request_size, "response_size": ex.response_size,
        "summary": _dump_any(ex.summary),
        "verdicts": verdicts_json(ex.verdicts),
    }


def from_row(m: RowMapping) -> Exchange:
    return Exchange(
        id=m["id"], session=m["session"], service=m["service"], operation=m["operation"],
        protocol=m["protocol"], started_at=m["started_at"], duration_ms=m["duration_ms"],
        status=m["status"], fault=m["fault"], method=m["method"], path=m["path"],
        caller=Caller(**json.loads(m["caller"])),
        request_headers=json.loads(m["request_headers"]),
        request_body=bytes(m.get("request_body") or b""),
        response_headers=json.loads(m["response_headers"]),
        response_body=bytes(m.get("response_body") or b""),
        summary=json.loads(m["summary"]),
        verdicts=[Verdict(**v) for v in json.loads(m["verdicts"])],
        request_size=m["request_size"], response_size=m["response_size"],
    )


def verdict_row(ex: Exchange) -> dict:
    return {"b_id": ex.id, "b_summary": _dump_any(ex.summary), "b_verdicts": verdicts_json(ex.verdicts)}
