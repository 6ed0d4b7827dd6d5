"""Admin API of the MSSanté simulator, mounted at /_bench/mss: mailboxes, messages, liste blanche, tokens.

This is how a test or a vendor adds a mailbox (e.g. their own APP box mapped to their certificate
CN), reads what their DUI sent, or gets a PSC token without a browser. `GET /dashboard?session=S`
is the dashboard's MSSanté view (dashboard_view.py): boxes, newest messages, receipts.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request

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


def admin_blueprint(store: MssStore, trust: TrustSpace, psc: ProSanteConnect) -> Blueprint:
    bp = Blueprint("bench_mss", __name__, url_prefix="/mss")

    def _session(name: str) -> str:
        if not valid_session_name(name):
            abort(_problem(400, f"nom de session invalide : {name!r}"))
        return name

    @bp.get("/dashboard")
    def dashboard():
        session = _session(request.args.get("session") or "default")
        try:
            per_box = max(1, min(int(request.args.get("limit", DASHBOARD_MESSAGES)), 1000))
        except ValueError:
            return _problem(400, "limit : entier attendu")
        messages, counts = store.recent_messages(session, per_box)
        return jsonify(session=session, **dashboard_document(store.mailboxes(session).values(), messages, counts))

    @bp.get("/liste-blanche.xml")
    def liste_blanche():
        return Response(trust.to_xml(), mimetype="application/xml")

    @bp.get("/sessions/<session>/mailboxes")
    def list_mailboxes(session: str):
        kind = request.args.get("kind")
        boxes = [b.to_json() for b in store.mailboxes(_session(session)).values() if not kind or b.kind == kind]
        return jsonify(sorted(boxes, key=lambda b: b["address"]))

    @bp.post("/sessions/<session>/mailboxes")
    def put_mailbox(session: str):
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not ADDRESS_RE.match(str(data.get("address", ""))):
            return _problem(400, "corps JSON attendu avec une adresse valide")
        if data.get("kind") not in (*MAILBOX_KINDS, PATIENT_KIND):
            return _problem(400, f"type de BAL attendu parmi {', '.join(MAILBOX_KINDS)}, {PATIENT_KIND}")
        if not trust.allows(str(data["address"]).rpartition("@")[2]):
            return _problem(400, "le domaine de la boîte n'est pas dans l'espace de confiance")
        box = Mailbox.from_json({"display_name": data["address"], **data})
        store.put_mailbox(_session(session), box)
        return jsonify(box.to_json()), 201

    @bp.delete("/sessions/<session>/mailboxes/<address>")
    def delete_mailbox(session: str, address: str):
        if not store.delete_mailbox(_session(session), address):
            return _problem(404, f"boîte inconnue : {address}")
        return "", 204

    @bp.get("/sessions/<session>/mailboxes/<address>/messages")
    def list_messages(session: str, address: str):
        if store.mailbox(_session(session), address) is None:
            return _problem(404, f"boîte inconnue : {address}")
        folder = request.args.get("folder", INBOX)
        return jsonify([m.to_json() for m in store.messages(session, address, folder)])

    @bp.get("/sessions/<session>/mailboxes/<address>/messages/<int:uid>")
    def get_message(session: str, address: str, uid: int):
        raw = store.raw(_session(session), address, request.args.get("folder", INBOX), uid)
        if raw is None:
            return _problem(404, f"message {uid} introuvable")
        return Response(raw, mimetype="message/rfc822")

    @bp.post("/sessions/<session>/tokens")
    def token(session: str):
        data = request.get_json(silent=True) or {}
        if not isinstance(data, dict):
            return _problem(400, "corps JSON attendu : un objet {\"address\": ...}")
        address = str(data.get("address", "")).lower()
        box = store.mailbox(_session(session), address)
        if box is None or box.kind == "APP":
            return _problem(404, f"boîte PER/ORG/CAB inconnue : {address}")
        ttl = data.get("expires_in")
        return jsonify(psc.issue_for_address(address, session=session,
                                             ttl_s=int(ttl) if isinstance(ttl, (int, float)) and ttl == ttl else None))

    return bp
