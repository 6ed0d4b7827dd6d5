"""Admin API of the DMP simulator under /_bench/dmp: dossiers, the patient's access history and the
views of the patient and legal representatives (what Mon espace santé would show them), and the
dashboard's DMP view (`GET /_bench/dmp/dashboard?session=S`, dashboard_view.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, jsonify, request

from simulators.core.sessions import valid_session_name
from simulators.dmp.dashboard_view import dashboard_document

from simulators.dmp.model import APPROVED, ARCHIVED, LegalRepresentative
from simulators.dmp.rules import PATIENT, REPRESENTATIVE, AccessPolicy, Actor
from simulators.identities.world import DEFAULT_SEED


def admin_blueprint(store: Any, policy: AccessPolicy, world_seed: int = DEFAULT_SEED) -> Blueprint:
    """`world_seed` is the seed of the world the dossiers come from (the professionals shown as readers)."""
    bp = Blueprint("dmp_admin", __name__, url_prefix="/dmp")

    @bp.get("/dashboard")
    def dashboard():
        session = request.args.get("session") or "default"
        if not valid_session_name(session):
            return jsonify({"detail": f"nom de session invalide : {session!r}"}), 400
        return jsonify(dashboard_document(store, policy, session, world_seed))

    @bp.get("/<session>/patients")
    def dossiers(session: str):
        store.ensure_seeded(session)
        return jsonify([d.to_json() | {"mineur": policy.is_minor(d)} for d in store.dossiers(session)])

    @bp.get("/<session>/patients/<ins>/historique")
    def history(session: str, ins: str):
        return jsonify([asdict(r) for r in store.access_history(session, ins)])

    @bp.get("/<session>/patients/<ins>/documents")
    def view(session: str, ins: str):
        """?vue=patient|representant_legal[&representant=<person id>]: documents that person sees."""
        store.ensure_seeded(session)
        dossier = store.dossier(session, ins)
        if dossier is None:
            return jsonify({"detail": f"aucun DMP pour l'INS {ins}"}), 404
        kind = request.args.get("vue", PATIENT)
        if kind not in (PATIENT, REPRESENTATIVE):
            return jsonify({"detail": "vue : patient ou representant_legal"}), 400
        actor = Actor(kind, "", request.args.get("representant", ""), "", "", "normal", "", False)
        decision = policy.can_consult(dossier, None, actor)
        if not decision.allowed:
            return jsonify({"detail": decision.reason}), 403
        t = store.entries_table
        entries = store.entries_where(session, t.c.patient_ins == ins, t.c.status.in_([APPROVED, ARCHIVED]))
        return jsonify([{"uniqueId": e.unique_id, "titre": e.title, "type": e.type_code.code if e.type_code else "",
                         "statut": e.status, "visibilite": sorted(e.visibility)}
                        for e in entries if policy.visible(e, dossier, None, actor)[0]])

    @bp.patch("/<session>/patients/<ins>")
    def patient_settings(session: str, ins: str):
        """What the patient sets in Mon espace santé: blocked professionals, oppositions, treating physicians."""
        store.ensure_seeded(session)
        dossier = store.dossier(session, ins)
        if dossier is None:
            return jsonify({"detail": f"aucun DMP pour l'INS {ins}"}), 404
        body = request.get_json(silent=True) or {}
        if not isinstance(body, dict):
            return jsonify({"detail": "corps JSON attendu : un objet"}), 400
        allowed = {"blocked": list, "treating_physicians": list, "opposition_break_glass": bool,
                   "opposition_emergency": bool, "state": str, "legal_representatives": list}
        for key, value in body.items():
            if key not in allowed or not isinstance(value, allowed[key]) or (key == "state" and value not in ("ACTIF", "FERME")):
                return jsonify({"detail": f"champ {key!r} non modifiable ou de type invalide"}), 400
            if key == "legal_representatives":
                try:
                    setattr(dossier, key, [LegalRepresentative(**item) for item in body[key]])
                except TypeError as exc:
                    return jsonify({"detail": f"legal_representatives : {exc}"}), 400
            else:
                setattr(dossier, key, value)
        store.save_dossier(session, dossier)
        return jsonify(dossier.to_json())

    @bp.get("/<session>/stats")
    def stats(session: str):
        store.ensure_seeded(session)
        return jsonify(store.counts(session))

    return bp
