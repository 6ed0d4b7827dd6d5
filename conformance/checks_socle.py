"""``socle@``: rules only a bench that sees every service can judge (INSi → DMP / MSSanté).

Each check reads the whole session (service ``*``): an INS used in the DMP or in MSSanté must have
been returned by INSi (CR 00) earlier in the same session, or be declared qualified in the session's
identity base (``socle-bench check --bench-url`` reads it from the INSi simulator); a patient address
``<INS>@patient.mssante.fr`` is built only from such an INS; a failure DSN (a recipient the operator
refused) is not ignored by sending the same message again. The other cross-service rules are
``parcours@1`` (nothing leaves the MSSanté trust space) and ``parcours@2`` / ``dmp@19`` (documents
reserved to MSSanté are not fed to the DMP).
"""

from __future__ import annotations

import re
from typing import Any
from collections.abc import Iterable, Iterator, Sequence

from simulators.core.exchange import Exchange

from conformance.checks import SESSION, Check, Finding, skip
from conformance.sources import IDENTITY_BASE_OPERATION
from conformance.outcomes import Outcome

CR_FOUND = "00"
PATIENT_DOMAIN = "patient.mssante.fr"
_PATIENT_ADDRESS = re.compile(r"^(?P<ins>[0-9A-Za-z]{13,15})@patient\.mssante\.fr$", re.IGNORECASE)


def _ordered(exchanges: Sequence[Exchange]) -> list[Exchange]:
    return sorted(exchanges, key=lambda e: (e.started_at, e.id))


def insi_answer(exchange: Exchange) -> str:
    """The INS matricule INSi returned with CR 00 in this exchange ("" otherwise)."""
    if exchange.service != "ins" or str(exchange.summary.get("cr", "")) != CR_FOUND:
        return ""
    ins = exchange.summary.get("ins")
    return str(ins.get("matricule", "")) if isinstance(ins, dict) else ""


def declared_qualified(exchange: Exchange) -> set[str]:
    """INS the session's identity base declares qualified (context record from the runner)."""
    if exchange.service != "ins" or exchange.operation != IDENTITY_BASE_OPERATION:
        return set()
    return {str(i) for i in exchange.summary.get("declared_qualified") or [] if i}


def qualified_ins(exchanges: Iterable[Exchange]) -> set[str]:
    """Every INS matricule INSi returned with CR 00 in these exchanges, plus those the session's
    identity base declares qualified (the session's qualified INS)."""
    found: set[str] = set()
    for exchange in exchanges:
        found |= declared_qualified(exchange)
        if insi_answer(exchange):
            found.add(insi_answer(exchange))
    return found


def _dmp_ins(exchange: Exchange) -> list[str]:
    summary = exchange.summary
    vihf = raw if isinstance(raw := summary.get("vihf"), dict) else {}
    found = [str(summary.get("ins") or summary.get("patient_ins") or vihf.get("ins") or "")]
    return [i for i in found if i]


def _mss_ins(exchange: Exchange) -> list[str]:
    """INS carried by a sent message: the XDM documents' patient INS (METADATA / recordTarget)."""
    xdm = exchange.summary.get("xdm")
    documents = xdm.get("documents") if isinstance(xdm, dict) else None
    return sorted({str(d.get("ins")) for d in documents or [] if isinstance(d, dict) and d.get("ins")})


def _recipients(exchange: Exchange) -> list[dict[str, Any]]:
    return [r for r in exchange.summary.get("recipients") or [] if isinstance(r, dict)]


def _with_qualified_so_far(exchanges: Sequence[Exchange]) -> Iterator[tuple[Exchange, set[str]]]:
    """Each exchange that is not an INSi answer, in time order, with the INS qualified before it (INSi CR 00
    answers and the session's identity base declarations seen so far)."""
    qualified: set[str] = set()
    for exchange in _ordered(exchanges):
        qualified |= declared_qualified(exchange)
        answer = insi_answer(exchange)
        if answer:
            qualified.add(answer)
            continue
        yield exchange, qualified


def ins_used_after_qualification(exchanges: Sequence[Exchange]) -> list[Finding]:
    findings: list[Finding] = []
    judged = 0
    for exchange, qualified in _with_qualified_so_far(exchanges):
        if exchange.service == "dmp":
            used = _dmp_ins(exchange)
        elif exchange.service == "mss" and exchange.operation == "send":
            used = _mss_ins(exchange)
        else:
            continue
        for ins in used:
            judged += 1
            if ins not in qualified:
                findings.append(Finding(
                    Outcome.FAIL, f"attendu une INS qualifiée par INSi (CR 00) plus tôt dans la session, obtenu "
                    f"l'INS {ins} utilisée dans {exchange.service} {exchange.operation} sans qualification INSi",
                    (exchange.id,), (ins,)))
    if not judged:
        skip("aucun échange DMP ou MSSanté n'utilise d'INS dans la session")
    return findings or [Finding(Outcome.PASS, f"{judged} usage(s) d'INS, tous qualifiés par INSi auparavant")]


def patient_address_from_qualified_ins(exchanges: Sequence[Exchange]) -> list[Finding]:
    findings: list[Finding] = []
    judged = 0
    for exchange, qualified in _with_qualified_so_far(exchanges):
        if exchange.service != "mss" or exchange.operation != "send":
            continue
        for recipient in _recipients(exchange):
            match = _PATIENT_ADDRESS.match(str(recipient.get("recipient", "")))
            if not match:
                continue
            judged += 1
            if match["ins"] not in qualified:
                findings.append(Finding(
                    Outcome.FAIL, f"attendu une adresse patient construite sur une INS qualifiée par INSi, obtenu "
                    f"{recipient['recipient']} (INS jamais renvoyée par INSi dans la session)",
                    (exchange.id,), (str(recipient["recipient"]),)))
    if not judged:
        skip("aucun envoi vers une adresse @patient.mssante.fr dans la session")
    return findings or [Finding(Outcome.PASS, f"{judged} adresse(s) patient, toutes sur une INS qualifiée")]


def _message_key(exchange: Exchange) -> tuple[str, str]:
    """What makes two sends "the same message": same sender and subject (the DUI re-sending after a
    bounce keeps both; a new Message-ID does not make it a new message)."""
    return (str(exchange.summary.get("mail_from", "")).lower(), str(exchange.summary.get("subject", "")))


def failure_dsn_not_ignored(exchanges: Sequence[Exchange]) -> list[Finding]:
    refused: dict[tuple[str, str, str], Exchange] = {}  # (sender, subject, recipient) -> first refused send
    findings: list[Finding] = []
    bounces = 0
    for exchange in _ordered(exchanges):
        if exchange.service != "mss" or exchange.operation != "send":
            continue
        key = _message_key(exchange)
        for recipient in _recipients(exchange):
            address = str(recipient.get("recipient", "")).lower()
            earlier = refused.get((*key, address))
            if earlier is not None:
                findings.append(Finding(
                    Outcome.FAIL, f"attendu la prise en compte de l'avis de non-remise (DSN) pour {address}, obtenu "
                    f"le même message « {key[1][:80]} » réémis vers ce destinataire refusé", (earlier.id, exchange.id),
                    (address,)))
            if not recipient.get("delivered", True):
                bounces += 1
                refused.setdefault((*key, address), exchange)
    if not bounces:
        skip("aucun destinataire refusé (aucun avis de non-remise) dans la session")
    return findings or [Finding(Outcome.PASS, f"{bounces} non-remise(s), aucun renvoi du même message")]


def checks() -> list[Check]:
    return [
        Check("socle.ins-qualifiee", "*", SESSION, ("socle@1",), ins_used_after_qualification,
              "INS utilisée au DMP ou par MSSanté seulement après qualification INSi", context=True),
        Check("socle.adresse-patient", "*", SESSION, ("socle@2",), patient_address_from_qualified_ins,
              "adresse @patient.mssante.fr construite sur une INS qualifiée", context=True),
        Check("socle.dsn-prise-en-compte", "*", SESSION, ("socle@3",), failure_dsn_not_ignored,
              "pas de renvoi du même message après un avis de non-remise"),
    ]
