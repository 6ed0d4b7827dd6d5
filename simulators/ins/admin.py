"""Admin API of the INSi simulator, mounted at `/_bench/ins`: a session's identity base.

A vendor loads their own test identities here (or in `[services.ins] persons`), so their DUI can be
tested with the patients of their own test scenarios, next to the world's personas and CNAM persons.

    GET    /_bench/ins/sessions/<session>/persons              the session's base
    POST   /_bench/ins/sessions/<session>/persons              add one identity (object) or several (list)
    GET    /_bench/ins/sessions/<session>/persons/<person_id>
    DELETE /_bench/ins/sessions/<session>/persons/<person_id>  hide (default person) or delete (added)
    GET    /_bench/ins/dashboard?session=<session>             the dashboard's INSi view (kind "persons")
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, jsonify, request

from simulators.core.admin import problem
from simulators.core.exchange import Exchange
from simulators.core.journal import ExchangeQuery, Journal
from simulators.core.sessions import SessionError

from simulators.ins.model import CR_FOUND, OP_TRAITS, OP_VITALE, InsPerson, Matricule
from simulators.ins.seed import PersonError, person_from_json
from simulators.ins.store import InsStore

STATUS_LABELS = {"PROV": "provisoire", "VALI": "validée", "RECUP": "récupérée", "QUAL": "qualifiée"}
RETRIEVED_LABEL = "récupérée (INSi)"
QUALIFIED_LABEL = "qualifiée (INSi, puis partagée)"
MAX_LOOKUPS = 10_000  # newest lookups read per refresh; older ones no longer change what is shown


@dataclass(frozen=True)
class Retrieval:
    """A person INSi returned (CR 00) in the session: what moves a DUI's identity to "récupérée"."""

    count: int
    last_at: float


def retrievals(lookups: Iterable[Exchange]) -> dict[str, Retrieval]:
    """Persons returned with CR 00 by these recorded lookups, by person id (from `summary.candidates`,
    which holds exactly the one person found when CR is 00)."""
    found: dict[str, Retrieval] = {}
    for exchange in lookups:
        summary = exchange.summary or {}
        candidates = summary.get("candidates") or []
        if summary.get("cr") != CR_FOUND or len(candidates) != 1:
            continue
        pid = str(candidates[0])
        before = found.get(pid)
        found[pid] = Retrieval((before.count if before else 0) + 1,
                               max(before.last_at if before else 0.0, exchange.started_at))
    return found


def shared_ins(exchanges: Iterable[Exchange]) -> set[str]:
    """INS matricules (13 characters, key left out) the DUI used with the DMP or in an MSSanté XDM in the
    session: an identity may share its INS only once qualified (RNIV), so the DUI treats it as such."""
    found: set[str] = set()
    for exchange in exchanges:
        summary = exchange.summary or {}
        vihf = raw if isinstance(raw := summary.get("vihf"), dict) else {}
        values = [summary.get("ins"), summary.get("patient_ins"), vihf.get("ins")]
        xdm = raw if isinstance(raw := summary.get("xdm"), dict) else {}
        values += [d.get("ins") for d in xdm.get("documents") or [] if isinstance(d, dict)]
        found |= {str(v)[:13] for v in values if isinstance(v, str) and len(v) >= 13}
    return found


def shown_status(world_status: str, retrieval: Retrieval | None, shared: bool = False) -> str:
    """The world's status in French. A person INSi returned in this session reads "récupérée (INSi)";
    once the DUI also shared that INS (DMP, MSSanté XDM), it read it as qualified: "qualifiée". A
    retrieval never lowers a qualified identity. Vendor identities have no status."""
    if retrieval is not None and world_status != "QUAL":
        return QUALIFIED_LABEL if shared else RETRIEVED_LABEL
    return STATUS_LABELS.get(world_status, "")


def _matricule(m: Matricule) -> dict[str, str]:
    return {"ins": m.value, "oid": m.oid, "type": m.type_matricule, "date_deb": m.date_deb, "date_fin": m.date_fin}


def person_row(person: InsPerson, world_status: str, retrieval: Retrieval | None,
               shared: bool = False) -> dict[str, Any]:
    """One row of the dashboard's `persons` shape (README of simulators/dashboard), plus the history
    and the INSi details the page may show later (extra fields are ignored by the renderer)."""
    return {
        "id": person.id, "birth_name": person.nom_naissance, "used_name": person.nom_usage,
        "first_names": person.liste_prenom, "sex": person.sexe, "birth_date": person.date_naissance,
        "birth_place": person.lieu_naissance, "ins": person.ins.value if person.ins else "",
        "oid": person.ins.oid if person.ins else "", "status": shown_status(world_status, retrieval, shared),
        "world_status": world_status, "history": [_matricule(h) for h in person.history],
        "insi": {"retrieved": retrieval is not None, "lookups": retrieval.count if retrieval else 0,
                 "last_at": retrieval.last_at if retrieval else None},
        "origin": person.origin, "fault": person.fault,
    }


def dashboard_document(store: InsStore, session: str, journal: Journal | None) -> dict[str, Any]:
    found: dict[str, Retrieval] = {}
    shared: set[str] = set()
    if journal is not None:
        query = ExchangeQuery(session=session, service="ins", operation=f"{OP_TRAITS},{OP_VITALE}",
                              limit=MAX_LOOKUPS, newest_first=True)
        found = retrievals(journal.query(query, bodies=False))
        for service in ("dmp", "mss"):
            shared |= shared_ins(journal.query(ExchangeQuery(session=session, service=service, limit=MAX_LOOKUPS,
                                                             newest_first=True), bodies=False))
    statuses = store.world_statuses()
    persons = [person_row(p, statuses.get(p.id, "") if p.origin == "world" else "", found.get(p.id),
                          bool(p.ins and p.ins.nir[:13] in shared))
               for p in store.persons(session)]
    return {"session": session, "persons": persons}


def admin_blueprint(store: InsStore, sessions, journal: Journal | None = None) -> Blueprint:
    """`sessions` is the SessionRegistry; `journal` (read only) tells the dashboard which persons
    INSi returned in a session."""
    bp = Blueprint("ins_admin", __name__, url_prefix="/ins")

    def session_or_problem(name: str):
        try:
            return sessions.resolve(name), None
        except SessionError as exc:
            return None, problem(404, str(exc))

    @bp.get("/dashboard")
    def dashboard():
        session, error = session_or_problem(request.args.get("session") or "default")
        if error:
            return error
        return jsonify(dashboard_document(store, session, journal))

    @bp.get("/sessions/<name>/persons")
    def list_persons(name: str):
        session, error = session_or_problem(name)
        if error:
            return error
        origin = request.args.get("origin")
        persons = [p.to_json() for p in store.persons(session) if not origin or p.origin == origin]
        return jsonify(session=session, count=len(persons), persons=persons)

    @bp.post("/sessions/<name>/persons")
    def add_persons(name: str):
        session, error = session_or_problem(name)
        if error:
            return error
        data = request.get_json(silent=True)
        items = data if isinstance(data, list) else [data]
        try:
            persons = [person_from_json(item, returned_oid=store.options.returned_oid, origin="admin")
                       for item in items]
        except PersonError as exc:
            return problem(400, f"identité refusée : {exc}")
        for person in persons:
            store.add(session, person)
        added = [p.to_json() for p in persons]
        return jsonify(added[0] if isinstance(data, dict) else added), 201

    @bp.get("/sessions/<name>/persons/<person_id>")
    def get_person(name: str, person_id: str):
        session, error = session_or_problem(name)
        if error:
            return error
        person = store.get(session, person_id)
        if person is None:
            return problem(404, f"identité inconnue dans la session {session!r} : {person_id}")
        return jsonify(person.to_json())

    @bp.delete("/sessions/<name>/persons/<person_id>")
    def delete_person(name: str, person_id: str):
        session, error = session_or_problem(name)
        if error:
            return error
        if not store.remove(session, person_id):
            return problem(404, f"identité inconnue dans la session {session!r} : {person_id}")
        return "", 204

    return bp
