"""Official requirements that are checkable on the wire and had no bench requirement yet
(``segur-requirements.md`` section C): the PDF sent with a level-1 CDA is the PDF the CDA
encapsulates (FAQ ANS, ECO.2.1.5), and the LPS name/version in the VIHF is the same on every DMP
call of a session (CNDA EX_GEN-1180).

Both read the recorded exchange only (raw message through the MSSanté codecs, VIHF summary).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime
from collections.abc import Sequence

from simulators.core.errors import ProtocolError
from simulators.core.exchange import Exchange
from simulators.codecs.xmlsafe import parse_xml
from simulators.mss.codec.mime import message_parts
from simulators.mss.codec.xdm import XdmPackage, cda_documents

from conformance.checks import LIVE, SESSION, Check, Finding, expect_true, skip
from conformance.outcomes import Outcome

HL7 = "urn:hl7-org:v3"
PDF = "application/pdf"


def _encapsulated_pdfs(package: XdmPackage | None) -> list[tuple[str, bytes]]:
    """(document uniqueId, PDF bytes) for every CDA of the archive whose nonXMLBody is a B64 PDF."""
    found: list[tuple[str, bytes]] = []
    if package is None:  # not a readable archive
        return found
    for entry, content in cda_documents(package):
        try:
            root = parse_xml(content)
        except ProtocolError:
            continue
        for text in root.iterfind(f".//{{{HL7}}}nonXMLBody/{{{HL7}}}text"):
            if (text.get("mediaType") or "").lower() != PDF:
                continue
            try:
                data = base64.b64decode("".join(text.itertext()), validate=False)
            except (binascii.Error, ValueError):
                data = b""
            found.append((entry.unique_id or entry.uri, data))
    return found


def n1_pdf_identical(exchange: Exchange) -> str:
    if not exchange.request_body:
        skip("corps du message non conservé dans le journal")
    parts = message_parts(exchange.request_body)  # parsed once by the SMTP handler, or here when read back
    pdfs = parts.pdfs
    encapsulated = [item for package in parts.packages for item in _encapsulated_pdfs(package)]
    if not encapsulated:
        skip("aucun CDA de niveau 1 encapsulant un PDF dans ce message")
    if not pdfs:
        skip("aucun PDF joint à comparer au PDF encapsulé dans le CDA")
    attached = {hashlib.sha256(p).hexdigest() for p in pdfs}
    differing = [uid for uid, data in encapsulated if hashlib.sha256(data).hexdigest() not in attached]
    expect_true(not differing, "attendu un PDF joint identique octet pour octet au PDF encapsulé dans le CDA N1, "
                f"obtenu un PDF joint différent pour le(s) document(s) {', '.join(differing)}", evidence=differing)
    return f"{len(encapsulated)} PDF encapsulé(s), identique(s) au PDF joint"


def _tls_certificate(exchange: Exchange) -> dict[str, str] | None:
    """The client certificate of the TLS handshake: the caller itself (INSi), or what the DMP kept of
    it next to the VIHF caller."""
    caller = exchange.caller
    if caller.kind == "tls":
        a = caller.attributes
        return {"issuer": caller.issuer, "issuer_cn": str(a.get("issuer_cn", "")),
                "not_before": str(a.get("not_before", "")), "not_after": str(a.get("not_after", ""))}
    a = caller.attributes or {}
    if a.get("tls_issuer"):
        return {"issuer": str(a["tls_issuer"]), "issuer_cn": str(a.get("tls_issuer_cn", "")),
                "not_before": str(a.get("tls_not_before", "")), "not_after": str(a.get("tls_not_after", ""))}
    return None


def _epoch(iso: str) -> float | None:
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def igc_sante_org_certificate(exchange: Exchange) -> str:
    certificate = _tls_certificate(exchange)
    if certificate is None:
        skip("aucun certificat client TLS dans cet échange (banc sans TLS ou profil CPx)")
    issuer = certificate["issuer_cn"] or certificate["issuer"]
    folded = issuer.upper().replace("É", "E")
    expect_true("IGC-SANTE" in folded and "ORGANISATION" in folded,
                "attendu un certificat d'organisation IGC-Santé (AC IGC-SANTE … ORGANISATIONS) à la négociation TLS, "
                f"obtenu un certificat émis par {issuer!r}", evidence=[issuer])
    low, high = _epoch(certificate["not_before"]), _epoch(certificate["not_after"])
    expect_true(low is None or high is None or low <= exchange.started_at <= high,
                f"attendu un certificat en cours de validité, obtenu une validité du {certificate['not_before']} "
                f"au {certificate['not_after']}")
    return f"certificat d'organisation IGC-Santé ({issuer})"


def _lps(exchange: Exchange) -> str:
    vihf = exchange.summary.get("vihf")
    return str(vihf.get("lps", "")) if isinstance(vihf, dict) else ""


def same_lps_on_every_call(exchanges: Sequence[Exchange]) -> list[Finding]:
    calls = [(e, _lps(e)) for e in exchanges if _lps(e) or isinstance(e.summary.get("vihf"), dict)]
    if not calls:
        skip("aucun VIHF lisible dans la session")
    first = calls[0][1]
    other = [(e, lps) for e, lps in calls if lps != first]
    if other:
        names = sorted({lps or "(vide)" for _e, lps in calls})
        return [Finding(Outcome.FAIL, f"attendu le même LPS_Nom/LPS_Version sur chaque appel au DMP (« à propos » du "
                        f"logiciel), obtenu {len(names)} valeurs : {', '.join(names)}",
                        tuple(e.id for e, _ in other[:20]), tuple(lps for _e, lps in other[:5] if lps))]
    expect_true(bool(first), "attendu LPS_Nom et LPS_Version renseignés dans le VIHF, obtenu des valeurs vides")
    return [Finding(Outcome.PASS, f"{len(calls)} appel(s) avec le même logiciel : {first}")]


def checks() -> list[Check]:
    return [
        Check("mss.pdf-identique-cda-n1", "mss", LIVE, ("mss@21",), n1_pdf_identical,
              "PDF joint identique au PDF encapsulé dans le CDA N1", operations=("send",)),
        Check("insi.certificat-igc-sante", "ins", LIVE, ("insi@18",), igc_sante_org_certificate,
              "certificat d'organisation IGC-Santé à la négociation TLS", applies=lambda e: e.method == "POST"),
        Check("dmp.certificat-igc-sante", "dmp", LIVE, ("dmp@22",), igc_sante_org_certificate,
              "certificat d'organisation IGC-Santé à la négociation TLS", applies=lambda e: e.method == "POST"),
        Check("dmp.lps-constant", "dmp", SESSION, ("dmp@21",), same_lps_on_every_call,
              "LPS_Nom / LPS_Version identiques sur chaque appel"),
    ]

