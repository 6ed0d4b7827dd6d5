"""Admin API of the INSi simulator, mounted at `/_bench/ins`: a session's identity base.

A vendor loads their own test identities here (or in `[services.ins] persons`), so their DUI can be
tested with the patients of their own test scenarios, next to the world's personas and CNAM persons.

    GET    /_bench/ins/sessions/<session>/persons              the session's base
    POST   /_bench/ins/sessions/<session>/persons              add one identity (object) or several (list)
    GET    /_bench/ins/sessions/<session>/persons/<person_id>
    DELETE /_bench/ins/sessions/<session>/persons/<person_id>  hide (default person) or delete (added)
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from simulators.core.admin import problem
from simulators.core.sessions import SessionError

from simulators.ins.seed import PersonError, person_from_json
from simulators.ins.store import InsStore


def admin_blueprint(store: InsStore, sessions) -> Blueprint:  # noqa: ANN001 - SessionRegistry
    bp = Blueprint("ins_admin", __name__, url_prefix="/ins")

    def session_or_problem(name: str):  # noqa: ANN202
        try:
            return sessions.resolve(name), None
        except SessionError as exc:
            return None, problem(404, str(exc))

    @bp.get("/sessions/<name>/persons")
    def list_persons(name: str):  # noqa: ANN202
        session, error = session_or_problem(name)
        if error:
            return error
        origin = request.args.get("origin")
        persons = [p.to_json() for p in store.persons(session) if not origin or p.origin == origin]
        return jsonify(session=session, count=len(persons), persons=persons)

    @bp.post("/sessions/<name>/persons")
    def add_persons(name: str):  # noqa: ANN202
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
    def get_person(name: str, person_id: str):  # noqa: ANN202
        session, error = session_or_problem(name)
        if error:
            return error
        person = store.get(session, person_id)
        if person is None:
            return problem(404, f"identité inconnue dans la session {session!r} : {person_id}")
        return jsonify(person.to_json())

    @bp.delete("/sessions/<name>/persons/<person_id>")
    def delete_person(name: str, person_id: str):  # noqa: ANN202
        session, error = session_or_problem(name)
        if error:
            return error
        if not store.remove(session, person_id):
            return problem(404, f"identité inconnue dans la session {session!r} : {person_id}")
        return "", 204

    return bp
