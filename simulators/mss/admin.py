"""Admin API of the MSSanté simulator, mounted at /_bench/mss: mailboxes, messages, liste blanche, tokens.

This is how a test or a vendor adds a mailbox (e.g. their own APP box mapped to their certificate
CN), reads what their DUI sent, or gets a PSC token without a browser. `GET /dashboard?session=S`
is the dashboard's MSSanté view (dashboard_view.py): boxes, newest messages, receipts.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, jsonify, request

from simulators.core.sessions import valid_session_name
from simulators.psc import ProSanteConnect

from .dashboard_view import dashboard_document
from .model import MAILBOX_KINDS, PATIENT_KIND, Mailbox
from .rules import ADDRESS_RE, TrustSpace
from .store import INBOX, MssStore


DASHBOARD_MESSAGES = 200  # newest messages shown per box (README of simulators/dashboard)


def _problem(status: int, detail: str) -> Response:
    response = jsonify(type="about:blank", status=status, detail=detail)
    response.status_code = status
    return response


EXTENSION = "mss.admin"  # app.extensions key of the `MssAdmin` the views read


@dataclass(frozen=True)
class MssAdmin:
    """What the admin views of one bench work on."""

    store: MssStore
    trust: TrustSpace
    psc: ProSanteConnect


def _admin() -> MssAdmin:
    return current_app.extensions[EXTENSION]


def _session(name: str) -> str:
    if not valid_session_name(name):
        abort(_problem(400, f"nom de session invalide : {name!r}"))
    return name


views = Blueprint("views", __name__)


def admin_blueprint(store: MssStore, trust: TrustSpace, psc: ProSanteConnect) -> Blueprint:
    """The admin API (`/_bench/mss/...`) of one bench: a blueprint that records its `MssAdmin` in the
    admin app's `extensions` and nests the module-level views."""
    bp = Blueprint("bench_mss", __name__, url_prefix="/mss")
    state = MssAdmin(store, trust, psc)
    bp.record_once(lambda setup: setup.app.extensions.__setitem__(EXTENSION, state))
    bp.register_blueprint(views)
    return bp


@views.get("/dashboard")
def dashboard():
    session = _session(request.args.get("session") or "default")
    try:
        per_box = max(1, min(int(request.args.get("limit", DASHBOARD_MESSAGES)), 1000))
    except ValueError:
        return _problem(400, "limit : entier attendu")
    store = _admin().store
    messages, counts = store.recent_messages(session, per_box)
    return jsonify(session=session, **dashboard_document(store.mailboxes(session).values(), messages, counts))


@views.get("/liste-blanche.xml")
def liste_blanche():
    return Response(_admin().trust.to_xml(), mimetype="application/xml")


@views.get("/sessions/<session>/mailboxes")
def list_mailboxes(session: str):
    kind = request.args.get("kind")
    mailboxes = _admin().store.mailboxes(_session(session))
    boxes = [b.to_json() for b in mailboxes.values() if not kind or b.kind == kind]
    return jsonify(sorted(boxes, key=lambda b: b["address"]))


@views.post("/sessions/<session>/mailboxes")
def put_mailbox(session: str):
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not ADDRESS_RE.match(str(data.get("address", ""))):
        return _problem(400, "corps JSON attendu avec une adresse valide")
    if data.get("kind") not in (*MAILBOX_KINDS, PATIENT_KIND):
        return _problem(400, f"type de BAL attendu parmi {', '.join(MAILBOX_KINDS)}, {PATIENT_KIND}")
    if not _admin().trust.allows(str(data["address"]).rpartition("@")[2]):
        return _problem(400, "le domaine de la boîte n'est pas dans l'espace de confiance")
    box = Mailbox.from_json({"display_name": data["address"], **data})
    _admin().store.put_mailbox(_session(session), box)
    return jsonify(box.to_json()), 201


@views.delete("/sessions/<session>/mailboxes/<address>")
def delete_mailbox(session: str, address: str):
    if not _admin().store.delete_mailbox(_session(session), address):
        return _problem(404, f"boîte inconnue : {address}")
    return "", 204


@views.get("/sessions/<session>/mailboxes/<address>/messages")
def list_messages(session: str, address: str):
    if _admin().store.mailbox(_session(session), address) is None:
        return _problem(404, f"boîte inconnue : {address}")
    folder = request.args.get("folder", INBOX)
    return jsonify([m.to_json() for m in _admin().store.messages(session, address, folder)])


@views.get("/sessions/<session>/mailboxes/<address>/messages/<int:uid>")
def get_message(session: str, address: str, uid: int):
    raw = _admin().store.raw(_session(session), address, request.args.get("folder", INBOX), uid)
    if raw is None:
        return _problem(404, f"message {uid} introuvable")
    return Response(raw, mimetype="message/rfc822")


@views.post("/sessions/<session>/tokens")
def token(session: str):
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        return _problem(400, "corps JSON attendu : un objet {\"address\": ...}")
    address = str(data.get("address", "")).lower()
    box = _admin().store.mailbox(_session(session), address)
    if box is None or box.kind == "APP":
        return _problem(404, f"boîte PER/ORG/CAB inconnue : {address}")
    ttl = data.get("expires_in")
    return jsonify(_admin().psc.issue_for_address(address, session=session,
                                                  ttl_s=int(ttl) if isinstance(ttl, (int, float)) and ttl == ttl
                                                  else None))
