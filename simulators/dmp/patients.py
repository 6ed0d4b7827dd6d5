"""Patient transactions: TD0.2 existence / authorisation test, TD0.3 authorisations, TD1.1 creation
with consent, TD1.2 reactivation, TD1.3 update, TD1.4 closure (dmp.md §2, §5).

Business refusals are HL7v3 acknowledgements AE with a French acknowledgementDetail (the DUI must
show it), not SOAP faults: those are for the envelope and the VIHF.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, UTC

from lxml import etree

from simulators.core.errors import BenchError
from simulators.dmp.codec import habilitations as hab
from simulators.dmp.codec import hl7v3
from simulators.dmp.context import Caller, Services
from simulators.dmp.model import Authorization, Dossier, LegalRepresentative
from simulators.dmp.rules import PS, VALIDE
from simulators.identities.ins import explain_ins

CONSENT_CREATE = "CONSENTEMENT_OUVERTURE_DMP"
CONSENT_REACTIVATE = "CONSENTEMENT_REACTIVATION_DMP"
OPP_BREAK_GLASS = "OPPOSITION_BRIS_DE_GLACE"
OPP_EMERGENCY = "OPPOSITION_ACCES_URGENCE"


class PatientRefusal(BenchError):
    """A patient transaction refused with an AE acknowledgement (French text)."""


@dataclass
class Outcome:
    response: etree._Element
    action: str  # SOAP action of the response
    summary: dict[str, object] = field(default_factory=dict)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "oui")


def _bool(value: bool) -> str:
    return "true" if value else "false"


def handle_patient_message(req: hl7v3.PatientRequest, caller: Caller, services: Services) -> Outcome:
    summary: dict[str, object] = {"interaction": req.interaction, "reason": req.reason, "ins": req.ins}
    if req.interaction == hl7v3.FIND:
        return _td05(req, caller, services, summary)
    if req.ins != caller.ins:
        return _reject(req, f"INS du message ({req.ins}) différent de l'INS du VIHF ({caller.ins}).", summary)
    try:
        if req.interaction == hl7v3.QUERY:
            return _td02(req, caller, services, summary)
        if req.interaction == hl7v3.CREATE:
            _create(req, caller, services)
        elif req.reason == "REAC":
            _reactivate(req, caller, services)
        elif req.reason == "MODIF_DATA":
            _modify(req, caller, services)
        elif req.reason == "FERM":
            _close(req, caller, services)
        else:
            raise PatientRefusal(f"reasonCode {req.reason!r} non pris en charge (REAC, MODIF_DATA, FERM).")
    except PatientRefusal as exc:
        services.store.record_access(caller.session, [caller.access(req.reason or req.interaction, "refuse",
                                                                    detail=str(exc))])
        return _reject(req, str(exc), summary)
    services.store.record_access(caller.session, [caller.access(req.reason or req.interaction, "autorise")])
    ack = hl7v3.CREATE_ACK if req.interaction == hl7v3.CREATE else hl7v3.REVISE_ACK
    summary["ack"] = "AA"
    return Outcome(hl7v3.build_ack(ack, req.message_id, "AA", []), f"urn:hl7-org:v3:{ack}", summary)


def _reject(req: hl7v3.PatientRequest, text: str, summary: dict[str, object]) -> Outcome:
    summary.update(ack="AE", error=text)
    if req.interaction == hl7v3.QUERY:
        resp = hl7v3.build_query_response(req.message_id, ack="AE", query_code="AE", ins=req.ins, oid=req.oid,
                                          status="", family="", given="", gender="", birth_date="", observations={},
                                          details=[text])
        return Outcome(resp, f"urn:hl7-org:v3:{hl7v3.QUERY_RESPONSE}", summary)
    return Outcome(hl7v3.build_ack(hl7v3.REJECT_ACK, req.message_id, "AE", [text]),
                   f"urn:hl7-org:v3:{hl7v3.REJECT_ACK}", summary)


def management_data(dossier: Dossier | None, caller: Caller, services: Services) -> dict[str, str]:
    codes = services.vs.hl7v3["management_observations"]
    if dossier is None:
        return {codes["state"]: "INEXISTANT", codes["authorization"]: "NON_EXISTE"}
    status = services.policy.authorization_status(dossier, caller.authorization, caller.actor)
    treating = bool(caller.authorization and caller.authorization.treating_physician)
    out = {codes["state"]: dossier.state, codes["authorization"]: status,
           codes["treating_physician"]: _bool(treating), codes["minor"]: _bool(services.policy.is_minor(dossier)),
           codes["mes"]: _bool(dossier.mes_attached), codes["web_account"]: _bool(dossier.web_account)}
    if dossier.state == "FERME":
        out[codes["closing_date"]] = dossier.closing_date
        out[codes["closing_reason"]] = dossier.closing_reason
    return out


def _td02(req: hl7v3.PatientRequest, caller: Caller, services: Services, summary: dict[str, object]) -> Outcome:
    if req.reason not in ("TEST_EXST", "CNSLT_DATA"):
        return _reject(req, f"reasonCode {req.reason!r} non admis pour TD0.2 (TEST_EXST ou CNSLT_DATA).", summary)
    dossier = caller.dossier
    observations = management_data(dossier, caller, services)
    if req.reason == "CNSLT_DATA" and dossier is not None:
        observations[OPP_BREAK_GLASS] = _bool(dossier.opposition_break_glass)
        observations[OPP_EMERGENCY] = _bool(dossier.opposition_emergency)
    services.store.record_access(caller.session, [caller.access("test_existence", "autorise")])
    summary.update(state=dossier.state if dossier else "INEXISTANT", observations=observations, ack="AA")
    if dossier is None:
        resp = hl7v3.build_query_response(req.message_id, ack="AA", query_code="NF", ins=req.ins, oid=req.oid,
                                          status="", family="", given="", gender="", birth_date="",
                                          observations={}, details=["Aucun DMP pour cet INS."])
    else:
        resp = hl7v3.build_query_response(req.message_id, ack="AA", query_code="OK", ins=dossier.ins, oid=dossier.oid,
                                          status="active" if dossier.state == "ACTIF" else "terminated",
                                          family=dossier.family, given=dossier.given, gender=dossier.gender,
                                          birth_date=dossier.birth_date, observations=observations, details=[])
    return Outcome(resp, f"urn:hl7-org:v3:{hl7v3.QUERY_RESPONSE}", summary)


def _fold(text: str) -> str:
    """Name comparison key: no accents, no spaces, hyphens or apostrophes (D'ALMEIDA = d’Almeida)."""
    import re
    import unicodedata

    return re.sub(r"[^A-Z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper())


def _td05(req: hl7v3.PatientRequest, caller: Caller, services: Services, summary: dict[str, object]) -> Outcome:
    """Find patients without INS by traits (exact birth date and sex when given, name prefix)."""
    if caller.actor.kind != PS or not req.family:
        return Outcome(hl7v3.build_find_response(req.message_id, [], ["Recherche réservée aux professionnels, nom "
                                                                     "obligatoire."]),
                       f"urn:hl7-org:v3:{hl7v3.FIND_RESPONSE}", summary | {"error": "TD0.5 incomplet"})
    found = []
    for d in services.store.dossiers(caller.session):
        if d.state != "ACTIF" or not _fold(d.family).startswith(_fold(req.family)):
            continue
        if (req.given and not _fold(d.given).startswith(_fold(req.given))) or (req.birth_date and d.birth_date != req.birth_date):
            continue
        if req.gender and d.gender != req.gender:
            continue
        found.append(hl7v3.FoundPatient(d.ins, d.oid, d.family, d.given, d.birth_date, d.gender))
    details = [] if len(found) <= 20 else ["Trop de résultats : préciser la recherche."]
    summary.update(found=len(found))
    return Outcome(hl7v3.build_find_response(req.message_id, found[:20], details), f"urn:hl7-org:v3:{hl7v3.FIND_RESPONSE}",
                   summary)


def _representatives(req: hl7v3.PatientRequest, services: Services) -> list[LegalRepresentative]:
    allowed = services.vs.hl7v3["legal_representative_codes"]
    reps = []
    for r in req.representatives:
        if r.relation not in allowed:
            raise PatientRefusal(f"Représentant légal : code de relation {r.relation!r} non admis ({', '.join(allowed)}).")
        reps.append(LegalRepresentative(r.relation, r.identifier, f"{r.given} {r.family}".strip()))
    return reps


def _require_ps(caller: Caller, what: str) -> None:
    if caller.actor.kind != PS:
        raise PatientRefusal(f"{what} : transaction réservée aux professionnels et structures.")
    if caller.vihf.secret_connection:
        raise PatientRefusal(f"{what} : interdit en connexion secrète (INVISIBLE_REPRESENTANTS_LEGAUX).")


def _create(req: hl7v3.PatientRequest, caller: Caller, services: Services) -> None:
    _require_ps(caller, "Création de DMP")
    if req.reason != "CREA_RD":
        raise PatientRefusal(f"Création : reasonCode CREA_RD attendu, reçu {req.reason!r}.")
    reason = explain_ins(req.ins, req.oid)
    if reason:
        raise PatientRefusal(f"Création : {reason}.")
    if caller.dossier is not None:
        raise PatientRefusal("Un DMP existe déjà pour cet INS" + (" (fermé : utiliser la réactivation TD1.2)."
                                                                   if caller.dossier.state == "FERME" else "."))
    if not _truthy(req.observations.get(CONSENT_CREATE)):
        raise PatientRefusal("Création refusée : consentement du patient (CONSENTEMENT_OUVERTURE_DMP=true) absent.")
    if not (req.family and req.given and req.birth_date and req.gender):
        raise PatientRefusal("Création : nom, prénom, date de naissance et sexe obligatoires.")
    dossier = Dossier(ins=req.ins, oid=req.oid, family=req.family, given=req.given, gender=req.gender,
                      birth_date=req.birth_date, opposition_break_glass=_truthy(req.observations.get(OPP_BREAK_GLASS)),
                      opposition_emergency=_truthy(req.observations.get(OPP_EMERGENCY)),
                      legal_representatives=_representatives(req, services), mes_attached=False, web_account=False)
    if services.policy.is_minor(dossier) and not dossier.legal_representatives:
        raise PatientRefusal("Création du DMP d'un mineur : au moins un représentant légal est obligatoire.")
    services.store.save_dossier(caller.session, dossier)
    _grant(caller, services)


def _grant(caller: Caller, services: Services, treating: bool = False) -> Authorization:
    days = services.options.access.authorization_validity_days
    now = time.time()
    auth = Authorization(ins=caller.ins, structure_id=caller.actor.structure_id, status=VALIDE, granted_at=now,
                         expires_at=now + days * 86400 if days else None, treating_physician=treating,
                         subject=caller.vihf.subject_name)
    services.store.save_authorization(caller.session, auth)
    return auth


def _need_dossier(caller: Caller, state: str, what: str) -> Dossier:
    if caller.dossier is None:
        raise PatientRefusal(f"{what} : aucun DMP pour cet INS.")
    if caller.dossier.state != state:
        raise PatientRefusal(f"{what} : DMP à l'état {caller.dossier.state}, {state} attendu.")
    return caller.dossier


def _need_authorization(caller: Caller, services: Services, what: str) -> None:
    assert caller.dossier is not None
    status = services.policy.authorization_status(caller.dossier, caller.authorization, caller.actor)
    if status != VALIDE:
        raise PatientRefusal(f"{what} : autorisation d'accès {status}, VALIDE requise.")


def _reactivate(req: hl7v3.PatientRequest, caller: Caller, services: Services) -> None:
    _require_ps(caller, "Réactivation")
    dossier = _need_dossier(caller, "FERME", "Réactivation")
    if not _truthy(req.observations.get(CONSENT_REACTIVATE)):
        raise PatientRefusal("Réactivation refusée : CONSENTEMENT_REACTIVATION_DMP=true absent.")
    dossier.state, dossier.closing_date, dossier.closing_reason = "ACTIF", "", ""
    services.store.save_dossier(caller.session, dossier)
    _grant(caller, services)


def _modify(req: hl7v3.PatientRequest, caller: Caller, services: Services) -> None:
    _require_ps(caller, "Mise à jour")
    dossier = _need_dossier(caller, "ACTIF", "Mise à jour")
    _need_authorization(caller, services, "Mise à jour")
    for attr in ("family", "given", "gender", "birth_date"):
        if getattr(req, attr):
            setattr(dossier, attr, getattr(req, attr))
    if OPP_BREAK_GLASS in req.observations:
        dossier.opposition_break_glass = _truthy(req.observations[OPP_BREAK_GLASS])
    if OPP_EMERGENCY in req.observations:
        dossier.opposition_emergency = _truthy(req.observations[OPP_EMERGENCY])
    if req.representatives:
        dossier.legal_representatives = _representatives(req, services)
    services.store.save_dossier(caller.session, dossier)


def _close(req: hl7v3.PatientRequest, caller: Caller, services: Services) -> None:
    _require_ps(caller, "Fermeture")
    dossier = _need_dossier(caller, "ACTIF", "Fermeture")
    _need_authorization(caller, services, "Fermeture")
    dossier.state = "FERME"
    dossier.closing_date = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    dossier.closing_reason = req.closing_reason or "FERMETURE_DEMANDE_PATIENT"
    services.store.save_dossier(caller.session, dossier)


def handle_habilitation(req: hab.HabilitationRequest, caller: Caller, services: Services) -> Outcome:
    action = hab.ACTION_PREFIX + req.operation + "Response"
    summary: dict[str, object] = {"operation": req.operation, "action": req.action, "role": req.role}
    if req.operation == hab.LIST:
        lines = [hab.AuthorizationLine(a.structure_id, a.status, a.treating_physician)
                 for a in services.store.authorizations(caller.session, caller.ins)]
        services.store.record_access(caller.session, [caller.access("liste_autorisations", "autorise")])
        return Outcome(hab.build_list_response(lines), action, summary | {"count": len(lines)})
    dossier = caller.dossier
    if dossier is None or dossier.state != "ACTIF" or caller.actor.kind != PS:
        text = "Aucun DMP actif pour cet INS." if caller.actor.kind == PS else "Réservé aux professionnels."
        summary["error"] = text
        return Outcome(hab.build_set_response("KO", "NON_EXISTE", text), action, summary)
    status = services.policy.authorization_status(dossier, caller.authorization, caller.actor)
    if req.action == "AJOUT":
        if status == "INTERDIT":
            summary["error"] = "bloqué"
            services.store.record_access(caller.session, [caller.access("autorisation_ajout", "refuse")])
            return Outcome(hab.build_set_response("KO", "INTERDIT", "Le patient a bloqué cette structure."), action, summary)
        treating = req.role == "MEDECIN_TRAITANT"
        if treating and caller.actor.profession.split("^")[0] != "10":
            return Outcome(hab.build_set_response("KO", status, "Seul un médecin peut être médecin traitant DMP."),
                           action, summary | {"error": "medecin_traitant"})
        _grant(caller, services, treating=treating)
        services.store.record_access(caller.session, [caller.access("autorisation_ajout", "autorise")])
        return Outcome(hab.build_set_response("OK", VALIDE), action, summary | {"authorization": VALIDE})
    services.store.delete_authorization(caller.session, caller.ins, caller.actor.structure_id)
    services.store.record_access(caller.session, [caller.access("autorisation_suppression", "autorise")])
    return Outcome(hab.build_set_response("OK", "NON_EXISTE"), action, summary | {"authorization": "NON_EXISTE"})
