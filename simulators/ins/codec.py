"""Sans-IO codec of the simulator side: request bytes -> `InsiRequest`, `LookupResult` -> RESULTAT bytes.

Parsing goes in two steps (wire, then domain): `parse_request` only extracts what the envelope says,
without judging it, so the conformance checks can read a deliberately broken request the same way;
`validate_request` then applies the service's rules and raises the catalogue fault the real service
answers. Responses are written from string templates: the live service's namespace styling
(``<soap:Envelope><env:Body xmlns:S=… xmlns:env=…><RESULTAT xmlns=… xmlns:ns0=… xmlns:ns1=…>``,
insi.md §2.3) must be reproduced byte for byte, and this is the hot path.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from simulators.codecs.soap import SOAP12_NS, SoapEnvelope, check_media_type, check_must_understand, parse_envelope

from simulators.ins.faults import InsiFault
from simulators.ins.model import (
    ACTIONS, BODY_OPERATIONS, NS_CTXBAM, NS_CTXLPS, NS_RECSANS, NS_RECVIT, NS_RESULTAT, NS_SAML2, NS_WSSE,
    OP_TRAITS, XML_DECLARATION, ContexteBAM, ContexteLPS, InsiRequest, LookupResult, Matricule, TraitsQuery,
    VitaleQuery,
)

DECODED_REQUEST = "ins.request"  # `Exchange.decoded` key: the `InsiRequest` the server read from the body
DECODED_ANSWER = "ins.answer"  # (answer bytes, CR) of a RESULTAT the server built: Exchange.decoded
MAX_REQUEST_BYTES = 1_000_000  # an INSi request is ~2 kB; a CPx assertion adds ~5 kB
_LPS, _BAM = f"{{{NS_CTXLPS}}}", f"{{{NS_CTXBAM}}}"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COG = re.compile(r"^[A-Za-z0-9]{5}$")
_TRAITS_FIELDS = {"NomNaissance", "Prenom", "Sexe", "DateNaissance", "LieuNaissance"}
_VITALE_FIELDS = {"MatriculeIndividu", "MatriculeOD", "NomNaissance", "DateNaissance", "RangNaissance"}


# --- parsing -------------------------------------------------------------------------------------
def _text(el: etree._Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def _lps(header: etree._Element | None) -> ContexteLPS | None:
    if header is None:
        return None
    fields = {child.tag: child for child in header}  # one pass: this runs on every request
    lps = fields.get(f"{_LPS}LPS")
    soft = {child.tag: child for child in lps} if lps is not None else {}
    idam = soft.get(f"{_LPS}IDAM")
    return ContexteLPS(
        version=header.get("Version", ""), nature=header.get("Nature", ""), id=_text(fields.get(f"{_LPS}Id")),
        temps=_text(fields.get(f"{_LPS}Temps")), emetteur=_text(fields.get(f"{_LPS}Emetteur")),
        idam=_text(idam), idam_r=idam.get("R", "") if idam is not None else "",
        lps_version=_text(soft.get(f"{_LPS}Version")), instance=_text(soft.get(f"{_LPS}Instance")),
        nom=_text(soft.get(f"{_LPS}Nom")),
    )


def _bam(header: etree._Element | None) -> ContexteBAM | None:
    if header is None:
        return None
    fields: dict[Any, etree._Element] = {}
    for child in header:  # one pass, first of each name (as `find` would): this runs on every request
        fields.setdefault(child.tag, child)
    couverture = fields.get(f"{_BAM}COUVERTURE")
    empty = couverture is None or (len(couverture) == 0 and not (couverture.text or "").strip())
    return ContexteBAM(
        version=header.get("Version", ""), nature=header.get("Nature", ""), id=_text(fields.get(f"{_BAM}Id")),
        temps=_text(fields.get(f"{_BAM}Temps")), emetteur=_text(fields.get(f"{_BAM}Emetteur")),
        couverture_present=couverture is not None, couverture_empty=empty,
    )


def _children(payload: etree._Element, ns: str, allowed: set[str]) -> list[tuple[str, str]]:
    out = []
    for child in payload:
        if not isinstance(child.tag, str):
            continue
        q = etree.QName(child)
        if q.namespace != ns or q.localname not in allowed:
            raise InsiFault("bench_requete", f"élément inattendu dans la requête : {child.tag}")
        if len(child) and q.localname not in ("MatriculeIndividu", "MatriculeOD"):
            raise InsiFault("bench_requete", f"l'élément {q.localname} doit contenir du texte")
        out.append((q.localname, child))
    return out


def _traits(payload: etree._Element) -> TraitsQuery:
    values: dict[str, Any] = {"prenoms": []}
    for name, el in _children(payload, NS_RECSANS, _TRAITS_FIELDS):
        if name == "Prenom":
            values["prenoms"].append(_text(el))
        else:
            values[name] = _text(el)
    return TraitsQuery(values.get("NomNaissance", ""), tuple(p for p in values["prenoms"] if p),
                       values.get("Sexe", ""), values.get("DateNaissance", ""), values.get("LieuNaissance", ""))


def _vitale(payload: etree._Element) -> VitaleQuery:
    values: dict[str, str] = {}
    for name, el in _children(payload, NS_RECVIT, _VITALE_FIELDS):
        if name in ("MatriculeIndividu", "MatriculeOD"):
            values[name] = _text(el.find(f"{{{NS_RECVIT}}}NumIdentifiant"))
            values[name + "Cle"] = _text(el.find(f"{{{NS_RECVIT}}}Cle"))
        else:
            values[name] = _text(el)
    return VitaleQuery(values.get("MatriculeIndividu", ""), values.get("MatriculeIndividuCle", ""),
                       values.get("MatriculeOD", ""), values.get("MatriculeODCle", ""),
                       values.get("NomNaissance", ""), values.get("DateNaissance", ""),
                       values.get("RangNaissance", ""))


def parse_request(body: bytes, content_type: str | None = None) -> tuple[InsiRequest, SoapEnvelope]:
    """Read an INSi request without judging its headers (raises SoapError / InsiFault only when the
    envelope or the body element cannot be read at all)."""
    env = parse_envelope(body, content_type, max_bytes=MAX_REQUEST_BYTES)
    payload = env.payload
    assert payload is not None  # parse_envelope enforces exactly one body child
    body_op = BODY_OPERATIONS.get(payload.tag)
    if body_op is None:
        raise InsiFault("bench_action", f"élément de corps inconnu : {payload.tag}")
    action = env.action or ""
    lps = bam = security = None
    for h in env.headers:
        if h.tag == f"{_LPS}ContexteLPS":
            lps = h
        elif h.tag == f"{_BAM}ContexteBAM":
            bam = h
        elif h.tag == f"{{{NS_WSSE}}}Security":
            security = h
    assertions = tuple(security.iterfind(f"{{{NS_SAML2}}}Assertion")) if security is not None else ()
    request = InsiRequest(
        operation=body_op, action=action, message_id=env.addressing.message_id or "",
        lps=_lps(lps), bam=_bam(bam),
        traits=_traits(payload) if body_op == OP_TRAITS else None,
        vitale=_vitale(payload) if body_op != OP_TRAITS else None,
        assertions=assertions, security_present=security is not None,
        content_type_action=env.content_type_action or "", wsa_action=env.addressing.action or "",
    )
    return request, env


# --- validation ----------------------------------------------------------------------------------
# Header blocks the service processes; any other one flagged mustUnderstand gets env:MustUnderstand.
UNDERSTOOD_HEADERS = ((NS_CTXLPS, "ContexteLPS"), (NS_CTXBAM, "ContexteBAM"), (NS_WSSE, "Security"))


def check_soap_binding(env: SoapEnvelope, content_type: str | None) -> None:
    """SOAP 1.2 rules the service enforces before its own: media type, mustUnderstand (§5.2.3)."""
    check_media_type(content_type)
    check_must_understand(env, UNDERSTOOD_HEADERS)


def validate_request(req: InsiRequest, *, idam_allowlist: frozenset[str] = frozenset()) -> None:
    """The service's own rules (insi.md checklist "what a simulator must do"), first failure wins."""
    if req.action and ACTIONS.get(req.action) != req.operation:
        raise InsiFault("bench_action", f"action {req.action!r} incohérente avec l'élément {req.operation}")
    if req.content_type_action and req.content_type_action != req.action:
        raise InsiFault("bench_action", f"action du Content-Type {req.content_type_action!r} différente de "
                                        f"wsa:Action {req.action!r}")
    if not req.message_id:
        raise InsiFault("bench_contexte", "en-tête wsa:MessageID absent")
    lps = req.lps
    if lps is None:
        raise InsiFault("bench_contexte", "en-tête ctxlps:ContexteLPS absent")
    missing = [n for n, v in (("@Version", lps.version), ("Id", lps.id), ("Temps", lps.temps),
                              ("LPS/IDAM@R", lps.idam_r)) if not v]
    if missing:
        raise InsiFault("bench_contexte", f"ContexteLPS incomplet : {', '.join(missing)} absent(s)")
    if not lps.idam or (idam_allowlist and lps.idam not in idam_allowlist):
        raise InsiFault("siram_100")
    bam = req.bam
    if bam is None:
        raise InsiFault("bench_contexte", "en-tête ctxbam:ContexteBAM absent")
    missing = [n for n, v in (("@Version", bam.version), ("Id", bam.id), ("Temps", bam.temps),
                              ("COUVERTURE", bam.couverture_present)) if not v]
    if missing:
        raise InsiFault("bench_contexte", f"ContexteBAM incomplet : {', '.join(missing)} absent(s)")
    if req.traits is not None:
        _validate_traits(req.traits)
    elif req.vitale is not None and not (req.vitale.matricule_individu or req.vitale.matricule_od):
        raise InsiFault("bench_requete", "MatriculeIndividu ou MatriculeOD attendu")


def _validate_traits(t: TraitsQuery) -> None:
    if t.sexe not in ("M", "F"):
        raise InsiFault("insi_24")
    if not t.nom_naissance:
        raise InsiFault("bench_requete", "le champ nom de naissance est absent")
    if not _DATE.match(t.date_naissance):
        raise InsiFault("bench_requete", "le format du champ date de naissance est incorrect")
    if t.lieu_naissance and not _COG.match(t.lieu_naissance):
        raise InsiFault("bench_requete", "le format du champ lieu de naissance est incorrect")


# --- summary (journal, dashboard, conformance) ---------------------------------------------------
def request_summary(req: InsiRequest, env: SoapEnvelope | None = None) -> dict[str, Any]:
    summary: dict[str, Any] = {"action": req.action, "wsa_action": req.wsa_action, "body": req.operation,
                               "message_id": req.message_id,
                               "security": req.security_present, "assertions": len(req.assertions)}
    if env is not None:
        summary["namespaces"] = sorted({ns for ns in env.root.nsmap.values() if ns})
    if req.lps is not None:
        summary["lps"] = dict(req.lps.__dict__.items())
    if req.bam is not None:
        summary["bam"] = dict(req.bam.__dict__.items())
    if req.traits is not None:
        t = req.traits
        summary["traits"] = {"nom": t.nom_naissance, "prenoms": list(t.prenoms), "sexe": t.sexe,
                             "date": t.date_naissance, "lieu": t.lieu_naissance}
    if req.vitale is not None:
        summary["vitale"] = {k: v for k, v in req.vitale.__dict__.items() if v}
    return summary


# --- response ------------------------------------------------------------------------------------
def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_OPENINGS = {
    "2026": (f'{XML_DECLARATION}<soap:Envelope xmlns:soap="{SOAP12_NS}">'
             f'<env:Body xmlns:S="{SOAP12_NS}" xmlns:env="{SOAP12_NS}">'
             f'<RESULTAT xmlns="{NS_RESULTAT}" xmlns:ns0="{NS_RECVIT}" xmlns:ns1="{NS_RECSANS}">',
             "</RESULTAT></env:Body></soap:Envelope>"),
    "legacy": (f'{XML_DECLARATION}<soap:Envelope xmlns:soap="{SOAP12_NS}"><S:Body xmlns:S="{SOAP12_NS}">'
               f'<RESULTAT xmlns:ns3="{NS_RECVIT}" xmlns:ns2="{NS_RECSANS}" xmlns="{NS_RESULTAT}">',
               "</RESULTAT></S:Body></soap:Envelope>"),
}
RESPONSE_STYLES = tuple(_OPENINGS)


def _matricule(tag: str, m: Matricule, *, legacy: bool) -> str:
    """INSACTIF / INSHISTO in XSD order (IdIndividu, OID, DateDeb, DateFin). Live answers (2025-26) carry
    no TypeMatricule; the older style (2023 recordings) has one in INSHISTO/IdIndividu (insi.md §2.3,
    padoa/tlsi-ins fixtures pierre-alain and ecetinsi-pierre-alain). The CNDA file TEST_2.04 puts the
    dates first, against the XSD: not reproduced."""
    dates = (f"<DateDeb>{_esc(m.date_deb)}</DateDeb>" if m.date_deb else "") + \
        (f"<DateFin>{_esc(m.date_fin)}</DateFin>" if m.date_fin else "")
    parts = [f"<{tag}><IdIndividu><NumIdentifiant>{_esc(m.nir)}</NumIdentifiant>"]
    if m.cle:
        parts.append(f"<Cle>{_esc(m.cle)}</Cle>")
    if legacy and tag == "INSHISTO" and m.type_matricule:
        parts.append(f"<TypeMatricule>{_esc(m.type_matricule)}</TypeMatricule>")
    parts.append(f"</IdIndividu><OID>{_esc(m.oid)}</OID>{dates}</{tag}>")
    return "".join(parts)


def build_resultat(result: LookupResult, *, include_prenom: bool = False, style: str = "2026") -> bytes:
    """RESULTAT in XSD order: CR, then INDIVIDU (INSACTIF, INSHISTO*, TIQ) for CR 00 only."""
    opening, closing = _OPENINGS[style]
    parts = [opening, f"<CR><CodeCR>{result.cr}</CodeCR><LibelleCR>{result.libelle}</LibelleCR></CR>"]
    person = result.person
    if result.cr == "00" and person is not None and person.ins is not None:
        parts.append("<INDIVIDU>")
        legacy = style == "legacy"
        parts.append(_matricule("INSACTIF", person.ins, legacy=legacy))
        parts.extend(_matricule("INSHISTO", h, legacy=legacy) for h in person.history)
        parts.append(f"<TIQ><NomNaissance>{_esc(person.nom_naissance)}</NomNaissance>")
        if include_prenom and person.prenoms:
            parts.append(f"<Prenom>{_esc(person.prenoms[0])}</Prenom>")
        parts.append(f"<ListePrenom>{_esc(person.liste_prenom)}</ListePrenom><Sexe>{person.sexe}</Sexe>"
                     f"<DateNaissance>{_esc(person.date_naissance)}</DateNaissance>")
        if person.lieu_naissance:
            parts.append(f"<LieuNaissance>{_esc(person.lieu_naissance)}</LieuNaissance>")
        parts.append("</TIQ></INDIVIDU>")
    parts.append(closing)
    return "".join(parts).encode("utf-8")
