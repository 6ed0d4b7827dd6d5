"""``mss@`` checks: what a DUI's MSSanté client looks like on the wire (``annuaire@``: checks_annuaire.py).

They read only what the simulator journalled: the SMTP `send`/`auth` and IMAP exchanges (summary
built by `simulators.mss.codec.mime`, raw message in the request body). Messages the operator generated
itself (DSN, MDN) never appear as `send` exchanges.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from simulators.core.exchange import Exchange
from simulators.identities.nir import explain_nir
from simulators.mss.rules import MES_LIMIT_BYTES

from conformance.checks import LIVE, SESSION, AssertionFailed, Check, Finding, expect, expect_true, skip
from conformance.outcomes import Outcome
from conformance.checks_socle import insi_answer
from simulators.mss.codec.mdn import parse_mdn

MSG_ID_RE = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")
XDM_SUBJECT_RE = re.compile(r"^XDM/1\.0/DDM\+(?P<label>.+) (?P<family>[^ ]+(?: [^ ]+)*?) (?P<given>[^ ]+) "
                            r"(?P<date>\d{2}/\d{2}/\d{4})$")
PDF_NAME_RE = re.compile(r"^\d{8}_[^_]+_[^_]+_[^_]+(?:_[^_]+)?\.pdf$", re.IGNORECASE)
PATIENT_DOMAIN = "@patient.mssante.fr"
STRUCTURE_CODES = ("archive", "readme", "index", "metadata", "one-patient", "cda")
METADATA_CODES = ("patient-id", "patient-cda", "uri", "hash", "size", "unique-id")


def _header(exchange: Exchange, name: str) -> list[str]:
    return list(exchange.summary.get("headers", {}).get(name, []))


def _is_submission(exchange: Exchange) -> bool:
    return exchange.protocol == "smtp" and exchange.operation == "send" and "headers" in exchange.summary


def _recipients(exchange: Exchange) -> list[str]:
    return [r["recipient"] for r in exchange.summary.get("recipients", [])]


# --- connection -------------------------------------------------------------------------------------
def starttls_before_auth(exchange: Exchange) -> str:
    expect_true(bool(exchange.summary.get("tls")),
                f"attendu STARTTLS avant l'authentification {exchange.summary.get('mechanism', '')}, obtenu une "
                "authentification en clair", exchanges=[exchange])
    return "authentification après STARTTLS"


def tls_version(exchange: Exchange) -> str:
    version = exchange.request_headers.get("tls_version", "")
    if not version:
        skip("échange sans TLS : jugé par mss@1")
    expect_true(version in ("TLSv1.2", "TLSv1.3"), f"attendu TLS 1.2 au minimum, obtenu {version}",
                exchanges=[exchange], evidence=[version])
    return version


def strong_authentication(exchange: Exchange) -> str:
    summary = exchange.summary
    if summary.get("reason") == "cleartext":
        skip("authentification en clair : jugée par mss@1")
    mechanism = summary.get("mechanism", "")
    app_login = mechanism in ("PLAIN", "LOGIN") and summary.get("kind") == "APP"  # certificate did the work
    expect_true(mechanism in ("XOAUTH2", "OAUTHBEARER", "EXTERNAL") or app_login,
                f"attendu XOAUTH2 (jeton PSC) ou EXTERNAL (certificat de BAL APP), obtenu {mechanism}",
                exchanges=[exchange])
    expect_true(bool(summary.get("accepted")),
                f"attendu un jeton PSC valide ou un certificat d'organisation reconnu, obtenu un refus "
                f"({summary.get('reason', '?')} : {summary.get('error', '')})".rstrip(" :)") + ")",
                exchanges=[exchange])
    return f"{mechanism} accepté"


# --- every message ----------------------------------------------------------------------------------
def message_id(exchange: Exchange) -> str:
    values = _header(exchange, "Message-ID")
    expect(len(values), 1, "nombre d'en-têtes Message-ID", exchanges=[exchange])
    expect_true(bool(MSG_ID_RE.match(values[0].strip())), f"attendu un Message-ID <id@domaine> (RFC 5322), "
                f"obtenu {values[0]!r}", exchanges=[exchange], evidence=[values[0]])
    return values[0]


def utf8_text_body(exchange: Exchange) -> str:
    parts = exchange.summary.get("parts", [])
    bad = [p for p in parts if p["type"].startswith("text/") and p["disposition"] != "attachment"
           and p["charset"].lower() not in ("utf-8", "us-ascii")]
    expect_true(not bad, "attendu des parties texte en UTF-8, obtenu " +
                ", ".join(f"{p['type']} charset={p['charset'] or 'absent'}" for p in bad), exchanges=[exchange])
    top = exchange.summary.get("content_type", "")
    body = top
    if top.startswith("multipart/") and top != "multipart/alternative":
        body = next((p["type"] for p in parts if p["disposition"] != "attachment"), "")
    expect_true(body in ("text/plain", "multipart/alternative"),
                f"attendu un corps text/plain ou multipart/alternative, obtenu {body or top}", exchanges=[exchange])
    return f"corps {body}"


def nil_header(exchange: Exchange) -> str:
    values = [v.strip() for v in _header(exchange, "X-MSS-NIL") if v.strip()]
    expect_true(bool(values), "attendu l'en-tête X-MSS-NIL (référence produit Convergence), obtenu absent",
                exchanges=[exchange])
    return f"X-MSS-NIL: {values[0]}"


def sender_label(exchange: Exchange) -> str:
    from email.utils import parseaddr

    sender = _header(exchange, "From")
    label, _address = parseaddr(sender[0]) if sender else ("", "")
    shown = sender[0] if sender else "aucun From"
    expect_true(bool(label.strip()), f"attendu un libellé devant l'adresse de l'expéditeur, obtenu {shown!r}",
                exchanges=[exchange])
    return label


# --- XDM --------------------------------------------------------------------------------------------
def _xdm(exchange: Exchange) -> dict[str, Any]:
    xdm = exchange.summary.get("xdm")
    if not xdm:
        skip("courriel sans pièce jointe IHE_XDM.zip")
    return xdm


def _bare_cda(exchange: Exchange) -> list[str]:
    """CDA documents attached directly to the message, outside any IHE_XDM.zip (``cda`` set by the analysis)."""
    return [p["filename"] or p["type"] for p in exchange.summary.get("parts", []) if p.get("cda")]


def xdm_structure(exchange: Exchange) -> str:
    bare = _bare_cda(exchange)
    expect_true(not bare, f"attendu le CDA dans une archive IHE_XDM.zip, obtenu le CDA joint directement ({', '.join(bare)})",
                exchanges=[exchange], evidence=bare)
    xdm = _xdm(exchange)
    problems = [p["message"] for p in xdm.get("problems", []) if p["code"] in STRUCTURE_CODES]
    expect_true(not problems, "; ".join(problems), exchanges=[exchange])
    expect_true(bool(xdm.get("documents")), "attendu au moins un document CDA dans l'archive IHE_XDM, obtenu aucun",
                exchanges=[exchange])
    return f"archive IHE_XDM conforme ({len(xdm['documents'])} document(s))"


def xdm_metadata(exchange: Exchange) -> str:
    xdm = _xdm(exchange)
    if not xdm.get("readable"):
        skip("archive illisible : jugée par mss@10")
    problems = [p["message"] for p in xdm.get("problems", []) if p["code"] in METADATA_CODES]
    expect_true(not problems, "; ".join(problems), exchanges=[exchange])
    return f"METADATA cohérent (patientId {xdm.get('patient_id', '')})"


def xdm_subject(exchange: Exchange) -> str:
    xdm = _xdm(exchange)
    subject = exchange.summary.get("subject", "")
    match = XDM_SUBJECT_RE.match(subject)
    expect_true(bool(match), f"attendu l'objet XDM/1.0/DDM+<libellé> <NOM> <prénom> <jj/mm/aaaa>, obtenu {subject!r}",
                exchanges=[exchange], evidence=[subject])
    doc = next((d for d in xdm.get("documents", []) if d.get("birth_time")), None)
    if match is not None and doc is not None and len(doc["birth_time"]) >= 8:
        birth = doc["birth_time"]
        expect(match.group("date"), f"{birth[6:8]}/{birth[4:6]}/{birth[:4]}", "date de naissance de l'objet",
               exchanges=[exchange])
    return subject


def mss_headers(exchange: Exchange) -> str:
    codes = [c.strip() for v in _header(exchange, "X-MSS-CODECDA") for c in v.split(",") if c.strip()]
    ins = [v.strip() for v in _header(exchange, "X-MSS-INS")]
    xdm = exchange.summary.get("xdm")
    if not xdm or not xdm.get("documents"):
        expect_true(not codes and not ins, f"attendu ni X-MSS-CODECDA ni X-MSS-INS sans archive XDM, obtenu "
                    f"CODECDA={codes} INS={ins}", exchanges=[exchange])
        return "pas d'en-tête CDA sans XDM"
    cda_codes = sorted({d.get("cda_code", "") for d in xdm["documents"] if d.get("cda_code")})
    expect(sorted(set(codes)), cda_codes, "X-MSS-CODECDA (codes des CDA joints)", exchanges=[exchange])
    expect_true(len(ins) == 1 and ins[0] in ("O", "N"), f"attendu un seul X-MSS-INS valant O ou N, obtenu {ins}",
                exchanges=[exchange], evidence=ins)
    if ins == ["O"]:  # a qualified INS carries the 4 traits and an INS OID in the CDA; whether INSi qualified it
        expect_true(all(d.get("ins_qualified") for d in xdm["documents"]),  # is judged on the session (below)
                    "attendu dans le CDA une INS complète (matricule, OID d'INS et 4 traits) avec X-MSS-INS: O, "
                    "obtenu une identité incomplète", exchanges=[exchange])
    return f"X-MSS-CODECDA={','.join(codes)} X-MSS-INS={ins[0]}"


def ins_header_from_insi(exchanges: Sequence[Exchange]) -> list[Finding]:
    """X-MSS-INS: O says the INS was qualified: INSi must have answered it (CR 00) earlier in the session.

    What the CDA carries is what the DUI wrote; only INSi's answer shows the qualification (ECO.2.4.2)."""
    qualified: set[str] = set()
    findings: list[Finding] = []
    for exchange in sorted(exchanges, key=lambda e: (e.started_at, e.id)):
        if exchange.service == "ins":
            qualified.update(filter(None, [insi_answer(exchange)]))
            continue
        if exchange.service != "mss" or not _is_submission(exchange):
            continue
        if [v.strip() for v in _header(exchange, "X-MSS-INS")] != ["O"]:
            continue
        documents = (exchange.summary.get("xdm") or {}).get("documents") or []
        claimed = sorted({str(d.get("ins")) for d in documents if d.get("ins")})
        unknown = [i for i in claimed if i not in qualified]
        findings.append(Finding(Outcome.FAIL if unknown or not claimed else Outcome.PASS,
                                f"attendu X-MSS-INS: O pour une INS qualifiée par INSi (CR 00) plus tôt dans la "
                                f"session, obtenu O pour {', '.join(unknown or ['aucune INS'])} jamais qualifiée(s)"
                                if unknown or not claimed else f"X-MSS-INS: O pour {', '.join(claimed)} qualifiée(s) "
                                "par INSi", (exchange.id,), tuple(unknown)))
    if not findings:
        return [Finding(Outcome.SKIP, "aucun courriel X-MSS-INS: O dans la session")]
    return findings


# --- patients -------------------------------------------------------------------------------------
def patient_rules(exchange: Exchange) -> str:
    """Judged on every send, including one refused at RCPT (stage "rcpt": no header, recipients only)."""
    recipients = _recipients(exchange)
    patients = [r for r in recipients if r.lower().endswith(PATIENT_DOMAIN)]
    if _header(exchange, "X-MSS-MES"):
        expect_true(bool(patients) and len(patients) == len(recipients),
                    f"attendu X-MSS-MES seulement vers {PATIENT_DOMAIN}, obtenu des destinataires {recipients}",
                    exchanges=[exchange])
    if not patients:
        skip("aucun destinataire Mon espace santé")
    for address in patients:
        local = address.rpartition("@")[0]
        expect_true(len(local) == 15 and explain_nir(local) is None,
                    f"attendu une adresse construite sur un matricule INS valide, obtenu {address}",
                    exchanges=[exchange], evidence=[address])
    unknown = [r for r in exchange.summary.get("recipients", []) if r["recipient"] in patients
               and _refusal_text(r) and "non trouvé" in _refusal_text(r)]
    expect_true(not unknown, f"attendu des adresses d'usagers connus (INS qualifiée), obtenu "
                f"{[u['recipient'] for u in unknown]} non trouvé(s)", exchanges=[exchange])
    return f"{len(patients)} destinataire(s) Mon espace santé"


def _refusal_text(recipient: dict[str, Any]) -> str:
    return " ".join(str(recipient.get(k) or "") for k in ("text", "reply", "refusal", "status"))


def _is_send(exchange: Exchange) -> bool:
    """Any SMTP transaction of the DUI's (DATA reached or refused at RCPT), never a bench-injected fault."""
    return (exchange.protocol == "smtp" and exchange.operation == "send" and bool(exchange.summary.get("recipients"))
            and not exchange.fault)


def patient_size(exchange: Exchange) -> str:
    if not any(r.lower().endswith(PATIENT_DOMAIN) for r in _recipients(exchange)):
        skip("aucun destinataire Mon espace santé")
    size = int(exchange.summary.get("size", exchange.request_size))
    expect_true(size <= MES_LIMIT_BYTES, f"attendu au plus 25 Mo vers Mon espace santé, obtenu {size} octets",
                exchanges=[exchange])
    return f"{size} octets"


def _to_patient(exchange: Exchange) -> bool:
    return any(r.lower().endswith(PATIENT_DOMAIN) for r in _recipients(exchange))


def _is_reply(exchange: Exchange) -> bool:
    subject = exchange.summary.get("subject", "")
    return bool(_header(exchange, "In-Reply-To") or _header(exchange, "References")
                or re.match(r"^\s*(re|tr|fw)\s*:", subject, re.IGNORECASE))


def reply_headers(exchange: Exchange) -> str:
    subject = exchange.summary.get("subject", "")
    in_reply_to, references = _header(exchange, "In-Reply-To"), _header(exchange, "References")
    if not (in_reply_to or references or re.match(r"^\s*(re|tr|fw)\s*:", subject, re.IGNORECASE)):
        skip("ce courriel n'est pas une réponse")
    expect_true(bool(in_reply_to) and bool(references),
                f"attendu In-Reply-To et References dans une réponse, obtenu In-Reply-To={bool(in_reply_to)} "
                f"References={bool(references)}", exchanges=[exchange])
    return "réponse chaînée"


def pdf_name(exchange: Exchange) -> str:
    _xdm(exchange)
    pdfs = [p["filename"] for p in exchange.summary.get("parts", []) if p["filename"].lower().endswith(".pdf")]
    if not pdfs:
        skip("aucun PDF joint")
    bad = [name for name in pdfs if not PDF_NAME_RE.match(name)]
    expect_true(not bad, f"attendu <date>_<type>_<NOM>_<prénom>_<dossier>.pdf, obtenu {bad}", exchanges=[exchange])
    return ", ".join(pdfs)


# --- receipts -------------------------------------------------------------------------------------
PATIENT_SENDER = "@patient.mssante.fr"  # Mon espace santé: the person's own app, never the DUI under test


def receipt_requests(exchanges: Sequence[Exchange]) -> list[Finding]:
    """Judged per sending mailbox: a session mixes the DUI under test with other actors' software (the doctor's
    "own software"), and one of them asking for receipts says nothing about the others."""
    sends = [e for e in exchanges if _is_submission(e) and not e.summary.get("report")
             and not str(e.summary.get("mail_from") or e.caller.subject or "").lower().endswith(PATIENT_SENDER)]
    if not sends:
        skip("aucun courriel envoyé par le logiciel")
    by_sender: dict[str, list[Exchange]] = {}
    for exchange in sends:
        sender = str(exchange.summary.get("mail_from") or exchange.caller.subject or "?").lower()
        by_sender.setdefault(sender, []).append(exchange)
    findings = []
    for sender, own in sorted(by_sender.items()):
        dsn = [e for e in own if _header(e, "Return-Receipt-To")
               or any("SUCCESS" in r.get("notify", []) for r in e.summary.get("recipients", []))]
        mdn = [e for e in own if _header(e, "Disposition-Notification-To")]
        ids = tuple(e.id for e in own[:3])
        if not dsn and not mdn:
            findings.append(Finding(Outcome.FAIL, f"attendu des demandes d'accusé de remise (DSN) et de lecture (MDN), "
                                    f"obtenu aucune sur {len(own)} courriel(s) envoyé(s) par {sender}", ids))
        elif not dsn:
            findings.append(Finding(Outcome.FAIL, f"attendu au moins une demande de DSN (NOTIFY=SUCCESS ou "
                                    f"Return-Receipt-To) de {sender}, obtenu des demandes de MDN seulement", ids))
        elif not mdn:
            findings.append(Finding(Outcome.FAIL, f"attendu au moins une demande de MDN (Disposition-Notification-To) "
                                    f"de {sender}, obtenu des demandes de DSN seulement", ids))
        else:
            findings.append(Finding(Outcome.PASS, f"{sender} : {len(dsn)} demande(s) de DSN, {len(mdn)} de MDN", ids))
    return findings


def _mdn_attempt(exchange: Exchange) -> bool:
    """A read receipt the DUI meant to send, well formed or not: a multipart/report that is not a DSN, or any
    message carrying a message/disposition-notification part (a badly labelled MDN is still judged)."""
    summary = exchange.summary
    if summary.get("report") == "mdn":
        return True
    return (summary.get("content_type") == "multipart/report" and summary.get("report") != "dsn") or any(
        p.get("type") == "message/disposition-notification" for p in summary.get("parts", []))


def mdn_well_formed(exchange: Exchange) -> str:
    if not _mdn_attempt(exchange):
        skip("ce courriel n'est pas un MDN")
    try:
        report = parse_mdn(exchange.request_body)
    except ValueError as exc:
        raise AssertionFailed(f"attendu un MDN RFC 8098 lisible, obtenu : {exc}", [exchange.id]) from exc
    expect_true(report.well_formed, f"attendu Final-Recipient et un champ Disposition conforme, obtenu "
                f"Disposition={report.disposition!r}", exchanges=[exchange], evidence=[report.disposition])
    expect_true(bool(report.original_message_id), "attendu Original-Message-ID dans le MDN, obtenu absent",
                exchanges=[exchange])
    return report.disposition


def checks() -> list[Check]:
    auth = ("auth", "imap.auth")
    send = _is_submission
    with_xdm = lambda e: send(e) and bool(e.summary.get("xdm"))  # noqa: E731
    # "not applicable" is an `applies` filter, not a skip: a skip result would hide the passes of the others
    return [
        Check("mss.starttls-before-auth", "mss", LIVE, ("mss@1",), starttls_before_auth,
              "STARTTLS avant l'authentification", operations=auth),
        Check("mss.tls-version", "mss", LIVE, ("mss@2",), tls_version, "TLS 1.2 minimum",
              applies=lambda e: e.protocol in ("smtp", "imap")),
        Check("mss.strong-authentication", "mss", LIVE, ("mss@4",), strong_authentication,
              "XOAUTH2 avec jeton PSC valide ou certificat de BAL APP", operations=auth),
        Check("mss.message-id", "mss", LIVE, ("mss@6",), message_id, "Message-ID conforme", applies=send),
        Check("mss.utf8-text-body", "mss", LIVE, ("mss@7",), utf8_text_body, "Corps texte UTF-8", applies=send),
        Check("mss.nil-header", "mss", LIVE, ("mss@8",), nil_header, "En-tête X-MSS-NIL", applies=send),
        Check("mss.sender-label", "mss", LIVE, ("mss@9",), sender_label, "Libellé de l'expéditeur", applies=send),
        Check("mss.xdm-structure", "mss", LIVE, ("mss@10",), xdm_structure, "Archive IHE_XDM.zip",
              applies=lambda e: send(e) and (bool(e.summary.get("xdm")) or bool(_bare_cda(e)))),
        Check("mss.xdm-metadata", "mss", LIVE, ("mss@11",), xdm_metadata, "METADATA.XML cohérent avec le CDA",
              applies=with_xdm),
        Check("mss.xdm-subject", "mss", LIVE, ("mss@12",), xdm_subject, "Objet XDM/1.0/DDM+", applies=with_xdm),
        Check("mss.mss-headers", "mss", LIVE, ("mss@13",), mss_headers, "X-MSS-CODECDA et X-MSS-INS", applies=send),
        Check("mss.ins-header-from-insi", "*", SESSION, ("mss@13",), ins_header_from_insi,
              "X-MSS-INS: O seulement pour une INS qualifiée par INSi"),
        Check("mss.patient-rules", "mss", LIVE, ("mss@14",), patient_rules, "Adresses Mon espace santé et X-MSS-MES",
              applies=lambda e: _is_send(e) and (_to_patient(e) or bool(_header(e, "X-MSS-MES")))),
        Check("mss.patient-size", "mss", LIVE, ("mss@15",), patient_size, "25 Mo vers Mon espace santé",
              applies=lambda e: send(e) and _to_patient(e)),
        Check("mss.reply-headers", "mss", LIVE, ("mss@16",), reply_headers, "In-Reply-To et References",
              applies=lambda e: send(e) and _is_reply(e)),
        Check("mss.pdf-name", "mss", LIVE, ("mss@17",), pdf_name, "Nom du PDF joint",
              applies=lambda e: with_xdm(e) and any(p["filename"].lower().endswith(".pdf")
                                                    for p in e.summary.get("parts", []))),
        Check("mss.receipt-requests", "mss", SESSION, ("mss@19",), receipt_requests, "Demandes de DSN et de MDN"),
        Check("mss.mdn-well-formed", "mss", LIVE, ("mss@20",), mdn_well_formed, "MDN conforme à la RFC 8098",
              applies=lambda e: _is_submission(e) and _mdn_attempt(e)),
    ]
