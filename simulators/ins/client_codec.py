"""Sans-IO codec of the client side: what a good DUI sends, and how it reads RESULTAT or a fault.

Requests follow the recorded shape (insi.md §1-§2): ContexteLPS (Version 01_00, IDAM R="4"), then
wsa:Action and a `uuid:` MessageID, then ContexteBAM (Version 01_02, empty COUVERTURE for the traits
search), with `wsse:Security` first when a CPx assertion is carried. Text is escaped, never trusted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, UTC

from lxml import etree

from simulators.core.errors import BenchError
from simulators.codecs.soap import SOAP12_NS, WSA_NS, parse_envelope
from simulators.codecs.xmlsafe import to_bytes

from simulators.ins.model import (
    ACTION_PREFIX, BAM_VERSION, LPS_VERSION, NS_CTXBAM, NS_CTXLPS, NS_RECSANS, NS_RECVIT, NS_RESULTAT,
    NS_SIRAM, NS_WSSE, OP_TRAITS, OP_VITALE, FaultView, Matricule, ResponseView, TraitsQuery, VitaleQuery,
)

_R = f"{{{NS_RESULTAT}}}"


@dataclass(frozen=True)
class LpsIdentity:
    """The software as it introduces itself in ContexteLPS (IDAM = CNDA authorisation number)."""

    idam: str = "SOCLE-BENCH-REF-01"
    version: str = "1.0.0"
    nom: str = "urn:lps:socle-bench-reference-dui:1.0.0"
    instance: str = field(default_factory=lambda: str(uuid.uuid4()))
    emetteur: str = ""
    idam_r: str = "4"


class InsiServiceFault(BenchError):
    """The service answered with a SOAP fault (HTTP 500 + siram:Erreur)."""

    def __init__(self, fault: FaultView, status: int) -> None:
        super().__init__(f"{fault.erreur_code or fault.subcode}: {fault.text or fault.reason}")
        self.fault = fault
        self.status = status


def _e(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def new_message_id() -> str:
    return f"uuid:{uuid.uuid4()}"


def utc_now() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _traits_body(t: TraitsQuery) -> str:
    parts = [f'<RECSANSVITALE xmlns="{NS_RECSANS}">']
    if t.nom_naissance:
        parts.append(f"<NomNaissance>{_e(t.nom_naissance)}</NomNaissance>")
    parts.extend(f"<Prenom>{_e(p)}</Prenom>" for p in t.prenoms)
    parts.append(f"<Sexe>{_e(t.sexe)}</Sexe><DateNaissance>{_e(t.date_naissance)}</DateNaissance>")
    if t.lieu_naissance:
        parts.append(f"<LieuNaissance>{_e(t.lieu_naissance)}</LieuNaissance>")
    parts.append("</RECSANSVITALE>")
    return "".join(parts)


def _vitale_body(v: VitaleQuery) -> str:
    parts = [f'<RECVITALE xmlns="{NS_RECVIT}">']
    for tag, num, cle in (("MatriculeIndividu", v.matricule_individu, v.cle_individu),
                          ("MatriculeOD", v.matricule_od, v.cle_od)):
        if num:
            parts.append(f"<{tag}><NumIdentifiant>{_e(num)}</NumIdentifiant>"
                         + (f"<Cle>{_e(cle)}</Cle>" if cle else "") + f"</{tag}>")
    for tag, value in (("NomNaissance", v.nom_naissance), ("DateNaissance", v.date_naissance),
                       ("RangNaissance", v.rang_naissance)):
        if value:
            parts.append(f"<{tag}>{_e(value)}</{tag}>")
    parts.append("</RECVITALE>")
    return "".join(parts)


def build_request(query: TraitsQuery | VitaleQuery, lps: LpsIdentity, *, message_id: str | None = None,
                  temps: str | None = None, assertions: tuple[etree._Element, ...] = ()) -> tuple[bytes, str, str]:
    """(envelope bytes, action, message id) for a traits or carte Vitale search."""
    operation = OP_TRAITS if isinstance(query, TraitsQuery) else OP_VITALE
    action = ACTION_PREFIX + operation
    message_id = message_id or new_message_id()
    temps = temps or utc_now()
    context_id = str(uuid.uuid4())
    emetteur = f"<ctxlps:Emetteur>{_e(lps.emetteur)}</ctxlps:Emetteur>" if lps.emetteur else ""
    bam_emetteur = f"<ctxbam:Emetteur>{_e(lps.emetteur)}</ctxbam:Emetteur>" if lps.emetteur else ""
    security = ""
    if assertions:
        security = (f'<wsse:Security xmlns:wsse="{NS_WSSE}">'
                    + "".join(to_bytes(a).decode("utf-8") for a in assertions) + "</wsse:Security>")
    body = _traits_body(query) if isinstance(query, TraitsQuery) else _vitale_body(query)
    envelope = (
        f'<soap:Envelope xmlns:soap="{SOAP12_NS}" xmlns:ctxbam="{NS_CTXBAM}" xmlns:ctxlps="{NS_CTXLPS}" '
        f'xmlns:wsa="{WSA_NS}"><soap:Header>{security}'
        f'<ctxlps:ContexteLPS Nature="CTXLPS" Version="{LPS_VERSION}"><ctxlps:Id>{context_id}</ctxlps:Id>'
        f"<ctxlps:Temps>{temps}</ctxlps:Temps>{emetteur}<ctxlps:LPS>"
        f'<ctxlps:IDAM R="{_e(lps.idam_r)}">{_e(lps.idam)}</ctxlps:IDAM><ctxlps:Version>{_e(lps.version)}'
        f"</ctxlps:Version><ctxlps:Instance>{_e(lps.instance)}</ctxlps:Instance><ctxlps:Nom>{_e(lps.nom)}"
        f"</ctxlps:Nom></ctxlps:LPS></ctxlps:ContexteLPS>"
        f'<wsa:Action soap:mustUnderstand="true">{action}</wsa:Action>'
        f"<wsa:MessageID>{_e(message_id)}</wsa:MessageID>"
        f'<ctxbam:ContexteBAM Version="{BAM_VERSION}"><ctxbam:Id>{context_id}</ctxbam:Id>'
        f"<ctxbam:Temps>{temps}</ctxbam:Temps>{bam_emetteur}<ctxbam:COUVERTURE/></ctxbam:ContexteBAM>"
        f"</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"
    )
    return envelope.encode("utf-8"), action, message_id


def _matricule(el: etree._Element) -> Matricule:
    return Matricule(
        nir=el.findtext(f"{_R}IdIndividu/{_R}NumIdentifiant") or "",
        cle=el.findtext(f"{_R}IdIndividu/{_R}Cle") or "",
        oid=el.findtext(f"{_R}OID") or "",
        type_matricule=el.findtext(f"{_R}IdIndividu/{_R}TypeMatricule") or "",
        date_deb=el.findtext(f"{_R}DateDeb") or "", date_fin=el.findtext(f"{_R}DateFin") or "",
    )


def _fault(env_payload: etree._Element) -> FaultView:
    s = f"{{{SOAP12_NS}}}"
    erreur = env_payload.find(f"{s}Detail/{{{NS_SIRAM}}}Erreur")
    reason = env_payload.find(f"{s}Reason/{s}Text")
    return FaultView(
        code=(env_payload.findtext(f"{s}Code/{s}Value") or "").split(":")[-1],
        subcode=(env_payload.findtext(f"{s}Code/{s}Subcode/{s}Value") or "").split(":")[-1],
        erreur_code=erreur.get("code", "") if erreur is not None else "",
        severite=erreur.get("severite", "") if erreur is not None else "",
        message_id=erreur.get("messageID", "") if erreur is not None else "",
        reason=(reason.text or "") if reason is not None else "",
        text=(erreur.text or "") if erreur is not None else "",
        lang=reason.get("{http://www.w3.org/XML/1998/namespace}lang", "") if reason is not None else "",
    )


def parse_response(body: bytes, status: int = 200) -> ResponseView:
    """RESULTAT as a view; a Fault raises InsiServiceFault. INSHISTO is always a list, even when
    there is a single one (the padoa bug, insi.md §2.3)."""
    env = parse_envelope(body)
    payload = env.payload
    if payload is not None and payload.tag == f"{{{SOAP12_NS}}}Fault":
        raise InsiServiceFault(_fault(payload), status)
    if payload is None or payload.tag != f"{_R}RESULTAT":
        raise ValueError(f"RESULTAT attendu, reçu {payload.tag if payload is not None else 'rien'}")
    individu = payload.find(f"{_R}INDIVIDU")
    tiq = individu.find(f"{_R}TIQ") if individu is not None else None

    def trait(name: str) -> str:
        return (tiq.findtext(f"{_R}{name}") or "") if tiq is not None else ""

    actif = individu.find(f"{_R}INSACTIF") if individu is not None else None
    return ResponseView(
        cr=payload.findtext(f"{_R}CR/{_R}CodeCR") or "",
        libelle=payload.findtext(f"{_R}CR/{_R}LibelleCR") or "",
        ins=_matricule(actif) if actif is not None else None,
        history=tuple(_matricule(h) for h in individu.iterfind(f"{_R}INSHISTO")) if individu is not None else (),
        nom_naissance=trait("NomNaissance"), prenom=trait("Prenom"), liste_prenom=trait("ListePrenom"),
        sexe=trait("Sexe"), date_naissance=trait("DateNaissance"), lieu_naissance=trait("LieuNaissance"),
    )
