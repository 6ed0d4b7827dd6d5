"""The DMP's tables (SQLAlchemy Core) and the row an entry is stored as: the schema `DmpStore` reads and
writes, and the bulk seeder fills directly."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Boolean, Column, Float, Index, Integer, LargeBinary, String, Table, Text

from simulators.core.db import Database
from simulators.dmp.model import DocumentEntry, pad_time
from simulators.dmp.records import plain


def tables_of(db: Database) -> dict[str, Table]:
    md = db.metadata
    if "dmp_entries" in md.tables:
        return {name[4:]: md.tables[name] for name in md.tables if name.startswith("dmp_")}
    s = lambda: Column("session", String(64), primary_key=True)  # noqa: E731
    entries = Table(
        "dmp_entries", md, s(), Column("entry_uuid", String(80), primary_key=True),
        Column("lid", String(80), nullable=False), Column("unique_id", String(128), nullable=False),
        Column("patient_ins", String(32), nullable=False), Column("status", String(64), nullable=False),
        Column("class_code", String(64)), Column("type_code", String(64)), Column("format_code", String(128)),
        Column("facility_code", String(64)), Column("practice_code", String(64)), Column("conf", String(255)),
        Column("creation_time", String(14)), Column("service_start", String(14)), Column("service_stop", String(14)),
        Column("author_structures", Text), Column("version", Integer, nullable=False),
        Column("is_signature", Boolean, nullable=False), Column("created", Float, nullable=False),
        Column("data", Text, nullable=False))
    Index("ix_dmp_entries_patient", entries.c.session, entries.c.patient_ins, entries.c.status, entries.c.service_start)
    Index("ix_dmp_entries_type", entries.c.session, entries.c.patient_ins, entries.c.type_code)
    Index("ix_dmp_entries_class", entries.c.session, entries.c.patient_ins, entries.c.class_code)
    Index("ix_dmp_entries_creation", entries.c.session, entries.c.patient_ins, entries.c.creation_time)
    Index("ix_dmp_entries_uid", entries.c.session, entries.c.unique_id)
    Index("ix_dmp_entries_lid", entries.c.session, entries.c.lid)
    subsets = Table(
        "dmp_subsets", md, s(), Column("entry_uuid", String(80), primary_key=True),
        Column("unique_id", String(128), nullable=False), Column("patient_ins", String(32), nullable=False),
        Column("submission_time", String(14)), Column("source_id", String(128)), Column("status", String(64)),
        Column("author_structures", Text), Column("data", Text, nullable=False))
    Index("ix_dmp_subsets_patient", subsets.c.session, subsets.c.patient_ins, subsets.c.submission_time)
    Index("ix_dmp_subsets_uid", subsets.c.session, subsets.c.unique_id, unique=True)
    assocs = Table(
        "dmp_assocs", md, s(), Column("id", String(80), primary_key=True), Column("type", String(80), nullable=False),
        Column("source", String(80), nullable=False), Column("target", String(80), nullable=False),
        Column("status", String(64), nullable=False), Column("slots", Text, nullable=False))
    Index("ix_dmp_assocs_source", assocs.c.session, assocs.c.source)
    Index("ix_dmp_assocs_target", assocs.c.session, assocs.c.target)
    docs = Table(
        "dmp_docs", md, s(), Column("unique_id", String(128), primary_key=True),
        Column("repository_uid", String(128), nullable=False), Column("mime_type", String(128)),
        Column("hash", String(64)), Column("size", Integer), Column("content", LargeBinary, nullable=False))
    dossiers = Table("dmp_dossiers", md, s(), Column("ins", String(32), primary_key=True),
                     Column("data", Text, nullable=False))
    authz = Table(
        "dmp_authz", md, s(), Column("ins", String(32), primary_key=True),
        Column("structure_id", String(64), primary_key=True), Column("status", String(16), nullable=False),
        Column("granted_at", Float), Column("expires_at", Float), Column("treating", Boolean, nullable=False),
        Column("subject", String(255)))
    access = Table(
        "dmp_access", md, Column("id", Integer, primary_key=True, autoincrement=True),
        Column("session", String(64), nullable=False), Column("ins", String(32), nullable=False),
        Column("at", Float, nullable=False), Column("action", String(32)), Column("structure_id", String(64)),
        Column("actor", String(255)), Column("profession", String(64)), Column("mode", String(32)),
        Column("outcome", String(16)), Column("document", String(128)), Column("detail", Text))
    Index("ix_dmp_access_patient", access.c.session, access.c.ins, access.c.at)
    seeded = Table("dmp_seeded", md, s(), Column("at", Float, nullable=False))
    return {"entries": entries, "subsets": subsets, "assocs": assocs, "docs": docs, "dossiers": dossiers,
            "authz": authz, "access": access, "seeded": seeded}


def entry_row(session: str, e: DocumentEntry, now: float) -> dict[str, Any]:
    return {"session": session, "entry_uuid": e.entry_uuid, "lid": e.lid or e.entry_uuid, "unique_id": e.unique_id,
            "patient_ins": e.patient_ins, "status": e.status,
            "class_code": e.class_code.code if e.class_code else None,
            "type_code": e.type_code.code if e.type_code else None,
            "format_code": e.format_code.code if e.format_code else None,
            "facility_code": e.facility_code.code if e.facility_code else None,
            "practice_code": e.practice_code.code if e.practice_code else None,
            "conf": " " + " ".join(c.code for c in e.confidentiality) + " ",
            "creation_time": pad_time(e.creation_time), "service_start": pad_time(e.service_start),
            "service_stop": pad_time(e.service_stop),
            "author_structures": " " + " ".join(s for a in e.authors for s in a.structure_ids) + " ",
            "version": e.version, "is_signature": e.is_signature, "created": now,
            "data": json.dumps(plain(e), ensure_ascii=False)}
