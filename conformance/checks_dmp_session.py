"""``dmp@15``-``dmp@17``: consultation and search habits over a whole session (authorisation first,
a bounded first search, FindSubmissionSets for the new documents).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta, UTC

from simulators.core.errors import ProtocolError
from simulators.core.exchange import Exchange
from simulators.dmp.codec import habilitations as hab
from simulators.dmp.codec import hl7v3, xds
from simulators.dmp.model import APPROVED
from simulators.dmp.valuesets import load_valuesets

from conformance.checks import SESSION, Check, Finding
from conformance.checks_dmp import dmp_exchanges, read
from conformance.outcomes import Outcome

FIRST_SEARCH_MAX_DAYS = 731
NEW_DOCS_WINDOW_DAYS = 31


def _authorized_pairs(exchanges: Sequence[Exchange]) -> list[tuple[float, str, str]]:
    out = []
    for ex in dmp_exchanges(exchanges, "TD0.2", "TD0.3", "TD1.1"):
        r = read(ex)
        if r.vihf is None or r.response is None:
            continue
        ok = False
        if ex.operation == "TD0.2":
            code = load_valuesets().hl7v3["management_observations"]["authorization"]
            ok = hl7v3.parse_patient_response(r.response).observations.get(code) == "VALIDE"
        elif ex.operation == "TD0.3":
            ok = hab.parse_response(r.response).get("authorization") == "VALIDE"
        else:
            ok = hl7v3.parse_patient_response(r.response).ack == "AA"
        if ok:
            out.append((ex.started_at, r.vihf.structure_id, r.vihf.patient_ins))
    return out


def consultation_authorized(exchanges: Sequence[Exchange]) -> list[Finding]:
    granted = _authorized_pairs(exchanges)
    findings = []
    for ex in dmp_exchanges(exchanges, "ITI-18", "ITI-43"):
        vihf = read(ex).vihf
        if vihf is None or vihf.purpose_of_use != "normal":
            continue
        query = _find_documents(ex) if ex.operation == "ITI-18" else None
        if query is not None and query.query_id == xds.GET_DOCUMENTS and query.return_type == "ObjectRef":
            continue  # TD3.1b: an author looks up the entryUUID of its own document
        if not any(t <= ex.started_at and s == vihf.structure_id and i == vihf.patient_ins for t, s, i in granted):
            findings.append(Finding(Outcome.FAIL, f"attendu une autorisation VALIDE (TD0.2/TD0.3) avant la "
                                    f"consultation du DMP {vihf.patient_ins}, obtenu aucune", (ex.id,)))
    if not dmp_exchanges(exchanges, "ITI-18", "ITI-43"):
        return [Finding(Outcome.SKIP, "aucune consultation dans la session")]
    return findings or [Finding(Outcome.PASS, "consultations précédées d'une autorisation valide")]


def _find_documents(ex: Exchange) -> xds.StoredQuery | None:
    r = read(ex)
    if r.envelope is None or r.envelope.payload is None:
        return None
    try:
        q = xds.parse_adhoc_query(r.envelope.payload)
    except ProtocolError:
        return None
    return q


def _dtm(value: str | None) -> datetime | None:
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    if len(digits) < 8:
        return None
    return datetime.strptime(digits[:8], "%Y%m%d").replace(tzinfo=UTC)


def first_search(exchanges: Sequence[Exchange]) -> list[Finding]:
    first: dict[str, Exchange] = {}
    for ex in dmp_exchanges(exchanges, "ITI-18"):
        q = _find_documents(ex)
        if q is not None and q.query_id == xds.FIND_DOCUMENTS:
            first.setdefault(q.one("$XDSDocumentEntryPatientId") or "", ex)
    if not first:
        return [Finding(Outcome.SKIP, "aucune recherche FindDocuments")]
    findings = []
    for ex in first.values():
        q = _find_documents(ex)
        assert q is not None
        since = _dtm(q.one("$XDSDocumentEntryServiceStartTimeFrom") or q.one("$XDSDocumentEntryCreationTimeFrom"))
        limit = datetime.fromtimestamp(ex.started_at, UTC) - timedelta(days=FIRST_SEARCH_MAX_DAYS)
        statuses = q.params.get("$XDSDocumentEntryStatus", [])
        ok = since is not None and since >= limit and statuses == [APPROVED]
        findings.append(Finding(Outcome.PASS if ok else Outcome.FAIL,
                                "première recherche sur 2 ans, statut Approved" if ok else
                                f"attendu une première recherche sur 2 ans au plus et au statut Approved seul, obtenu "
                                f"depuis {since.date() if since else 'toujours'} et statuts {statuses}", (ex.id,)))
    return findings


def new_documents_search(exchanges: Sequence[Exchange]) -> list[Finding]:
    by_patient: dict[str, list[tuple[Exchange, xds.StoredQuery]]] = defaultdict(list)
    for ex in dmp_exchanges(exchanges, "ITI-18"):
        q = _find_documents(ex)
        if q is not None:
            patient = q.one("$XDSDocumentEntryPatientId") or q.one("$XDSSubmissionSetPatientId") or ""
            by_patient[patient].append((ex, q))
    findings = []
    for queries in by_patient.values():
        for ex, q in queries[1:]:
            if q.query_id != xds.FIND_DOCUMENTS:
                continue
            since = _dtm(q.one("$XDSDocumentEntryCreationTimeFrom") or q.one("$XDSDocumentEntryServiceStartTimeFrom"))
            recent = since is not None and datetime.fromtimestamp(ex.started_at, UTC) - since < timedelta(days=NEW_DOCS_WINDOW_DAYS)
            if recent:
                findings.append(Finding(Outcome.FAIL, "attendu FindSubmissionSets ($XDSSubmissionSetSubmissionTimeFrom) "
                                        "pour les nouveaux documents, obtenu FindDocuments sur une fenêtre récente",
                                        (ex.id,)))
        if any(q.query_id == xds.FIND_SUBMISSION_SETS and q.one("$XDSSubmissionSetSubmissionTimeFrom") for _, q in queries):
            findings.append(Finding(Outcome.PASS, "nouveaux documents par FindSubmissionSets", (queries[0][0].id,)))
    return findings or [Finding(Outcome.SKIP, "aucune recherche de nouveaux documents")]


def checks() -> list[Check]:
    return [
        Check("dmp.consultation-authorized", "dmp", SESSION, ("dmp@15",), consultation_authorized,
              "Consultation avec autorisation valide"),
        Check("dmp.first-search", "dmp", SESSION, ("dmp@16",), first_search, "Première recherche : 2 ans, Approved"),
        Check("dmp.new-documents", "dmp", SESSION, ("dmp@17",), new_documents_search,
              "Nouveaux documents par FindSubmissionSets"),
    ]
