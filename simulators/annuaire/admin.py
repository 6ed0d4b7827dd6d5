"""The Annuaire Santé as the trainer's dashboard shows it (``GET /_bench/annuaire/dashboard``): the
structures and professionals the directory publishes in a session, with their identifiers and the
MSSanté boxes a DUI finds there — the same ``Directory`` the FHIR API searches, as two tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from simulators.core.sessions import valid_session_name

from .model import PublishedMailbox
from .resources import build_directory

MailboxesOf = Callable[[str], "Mapping[str, PublishedMailbox] | Iterable[PublishedMailbox]"]
EXTENSION = "annuaire.admin"  # app.extensions key: the session -> mailboxes source of the admin views

NOTE_FR = ("Ce que l'Annuaire Santé publie dans cette session : une boîte sur liste rouge n'y figure pas ; "
           "les usagers (Mon espace santé) n'y sont jamais.")


def _identifiers(resource: dict[str, Any]) -> str:
    return ", ".join(f"{(i.get('type') or {}).get('coding', [{}])[0].get('code', '') or 'id'} {i.get('value', '')}"
                     for i in resource.get("identifier") or [])


def _boxes(resource: dict[str, Any]) -> str:
    return ", ".join(f"{t.get('value', '')}" for t in resource.get("telecom") or [] if t.get("value"))


def annuaire_document(mailboxes: Mapping[str, PublishedMailbox] | Iterable[PublishedMailbox]) -> dict[str, Any]:
    directory = build_directory(mailboxes.values() if isinstance(mailboxes, Mapping) else mailboxes)
    organisations = directory.resources.get("Organization", {})
    roles = directory.resources.get("PractitionerRole", {})
    practitioners = directory.resources.get("Practitioner", {})
    structures = [{"nom": o.get("name", ""), "identifiants": _identifiers(o), "boites": _boxes(o) or "—"}
                  for o in sorted(organisations.values(), key=lambda r: str(r.get("name", "")))]
    people = []
    for role in roles.values():
        pid = (role.get("practitioner") or {}).get("reference", "").rpartition("/")[2]
        who = practitioners.get(pid, {})
        name = (who.get("name") or [{}])[0]
        org = organisations.get((role.get("organization") or {}).get("reference", "").rpartition("/")[2], {})
        coding = ((role.get("code") or [{}])[0].get("coding") or [{}])[0]
        people.append({"nom": " ".join([*(name.get("prefix") or []), *(name.get("given") or []), name.get("family", "")]),
                       "profession": coding.get("display", "") or coding.get("code", ""),
                       "identifiants": _identifiers(who), "structure": org.get("name", ""),
                       "boites": _boxes(who) or "—"})
    people.sort(key=lambda p: (p["structure"], p["nom"]))
    return {"note": NOTE_FR, "tables": [
        {"title": f"Structures ({len(structures)})", "rows": structures,
         "columns": [{"label": "Structure", "key": "nom"}, {"label": "Identifiants", "key": "identifiants"},
                     {"label": "Boîtes organisationnelles", "key": "boites"}]},
        {"title": f"Professionnels ({len(people)})", "rows": people,
         "columns": [{"label": "Professionnel", "key": "nom"}, {"label": "Profession", "key": "profession"},
                     {"label": "Identifiants", "key": "identifiants"}, {"label": "Structure", "key": "structure"},
                     {"label": "Boîtes MSSanté", "key": "boites"}]},
    ]}


views = Blueprint("views", __name__)


@views.get("/dashboard")
def dashboard():
    session = request.args.get("session") or "default"
    if not valid_session_name(session):
        return jsonify({"detail": f"nom de session invalide : {session!r}"}), 400
    mailboxes_of: MailboxesOf = current_app.extensions[EXTENSION]
    return jsonify(annuaire_document(mailboxes_of(session)))


def annuaire_blueprint(mailboxes_of: MailboxesOf) -> Blueprint:
    """The admin views (`/_bench/annuaire/...`) of one bench: a blueprint that records its mailbox
    source in the admin app's `extensions` and nests the module-level views."""
    bp = Blueprint("bench_annuaire", __name__, url_prefix="/annuaire")
    bp.record_once(lambda state: state.app.extensions.__setitem__(EXTENSION, mailboxes_of))
    bp.register_blueprint(views)
    return bp
