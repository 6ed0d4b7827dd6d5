"""mss@/annuaire@ checks: a reference DUI passes, a careless one fails, on real journalled exchanges."""

from __future__ import annotations

import pytest

from email.message import EmailMessage

import requests

from conformance.checks import run_check
from conformance import checks_annuaire, checks_mss
from conformance.coverage import coverage
from conformance.outcomes import Outcome, worst
from conformance.registry import CheckRegistry, default_registry
from conformance.requirements import load_catalogue
from simulators.core.exchange import Exchange
from simulators.mss.client import build_patient_xdm, compose, wire_bytes, xdm_subject
from tests.mss.conftest import exchanges
from tests.mss.test_operator import AEMO_EDUC, CRIP, ELLIOT, ELLIOT_INS
import contextlib

REGISTRY = CheckRegistry(checks_mss.checks() + checks_annuaire.checks())


def _judge(exchange: Exchange) -> dict[str, Outcome]:
    results = {}
    for check in REGISTRY.live_checks("mss") + REGISTRY.live_checks("annuaire"):
        if check.applies_to(exchange):
            findings = run_check(check, exchange, [exchange.id])
            results[check.id] = worst(f.outcome for f in findings)
    return results


def test_every_mss_and_annuaire_requirement_has_a_check_or_a_reason() -> None:
    report = coverage(default_registry(), load_catalogue(), ["mss", "annuaire"])  # mss@21 is in checks_official
    assert report.unknown_citations == {}
    ours = [c.requirement.id for c in report.gaps() if c.requirement.id.startswith(("mss@", "annuaire@"))]
    assert ours == []


def test_reference_client_passes(mail, token_for, session, mss_bench) -> None:
    token = token_for(AEMO_EDUC, session=session)
    xdm, _ = build_patient_xdm(ELLIOT, code="11488-4", label="Compte rendu")
    msg = compose(AEMO_EDUC, "M_Mehdi_AMRANI_AEMO", [CRIP, f"{ELLIOT_INS}@patient.mssante.fr"],
                  xdm_subject("Compte rendu", ELLIOT), "CR", xdm=xdm, cda_codes=["11488-4"], ins_qualified=True,
                  attachments=[("20260101_CR_DUMONTIER_Elliot_D123.pdf", "application/pdf", b"%PDF-1.4")])
    mail.send(msg, AEMO_EDUC, token)
    judged = {}
    for exchange in exchanges(mss_bench, session):
        for check, outcome in _judge(exchange).items():
            judged.setdefault(check, set()).add(outcome)
    assert all(outcomes <= {Outcome.PASS, Outcome.SKIP} for outcomes in judged.values()), judged
    passed = {c for c, o in judged.items() if Outcome.PASS in o}
    assert {"mss.starttls-before-auth", "mss.tls-version", "mss.strong-authentication", "mss.nil-header",
            "mss.xdm-structure", "mss.xdm-metadata", "mss.xdm-subject", "mss.mss-headers", "mss.patient-rules",
            "mss.pdf-name", "mss.message-id", "mss.utf8-text-body"} <= passed


def test_careless_client_fails(mail, token_for, session, mss_bench) -> None:
    token = token_for(AEMO_EDUC, session=session)
    xdm, _ = build_patient_xdm(ELLIOT, code="11488-4", label="CR")
    msg = EmailMessage()
    msg["From"] = AEMO_EDUC
    msg["To"] = CRIP
    msg["Subject"] = "Compte rendu Elliot"
    msg["X-MSS-INS"] = "N"
    msg["X-MSS-MES"] = "FIN"
    msg.set_content("Texte accentué é", charset="iso-8859-1")
    msg.add_attachment(xdm, maintype="application", subtype="zip", filename="IHE_XDM.zip")
    client = mail.smtp(AEMO_EDUC, token)
    client.sendmail(AEMO_EDUC, [CRIP], wire_bytes(msg))
    client.quit()
    [sent] = exchanges(mss_bench, session, "send")
    judged = _judge(sent)
    for check in ("mss.message-id", "mss.nil-header", "mss.sender-label", "mss.utf8-text-body", "mss.xdm-subject",
                  "mss.mss-headers", "mss.patient-rules"):
        assert judged[check] == Outcome.FAIL, check
    assert judged["mss.xdm-metadata"] == Outcome.PASS


def test_cleartext_and_expired_authentication_fail(mail, token_for, session, mss_bench) -> None:
    import smtplib

    client = smtplib.SMTP(mail.host, mail.smtp_port, timeout=10)
    client.ehlo("x")
    client.docmd("AUTH", "XOAUTH2 eA==")
    client.quit()
    with contextlib.suppress(smtplib.SMTPAuthenticationError):
        mail.smtp(AEMO_EDUC, token_for(AEMO_EDUC, session=session, expires_in=-1))
    auths = [e for e in exchanges(mss_bench, "default", "auth") if e.summary.get("reason") == "cleartext"]
    assert auths and _judge(auths[-1])["mss.starttls-before-auth"] == Outcome.FAIL
    [expired] = exchanges(mss_bench, session, "auth")
    assert _judge(expired)["mss.strong-authentication"] == Outcome.FAIL


def test_directory_checks(mss_bench, pki, session) -> None:
    base = mss_bench.url("annuaire").replace("/fhir/v2", f"/s/{session}/fhir/v2")
    verify = str(pki.root_path)
    requests.get(base + "/Practitioner", params={"name": "a"}, verify=verify, timeout=10)
    page = requests.get(base + "/Practitioner", params={"mailbox-mss:contains": "@", "_count": "5"},
                        headers={"ESANTE-API-KEY": "socle-bench-test-key"}, verify=verify, timeout=10).json()
    assert mss_bench.runtime is not None
    mss_bench.runtime.journal.flush()
    from simulators.core.journal import ExchangeQuery

    calls = mss_bench.runtime.journal.query(ExchangeQuery(session=session, service="annuaire"))
    assert [_judge(e)["annuaire.api-key"] for e in calls] == [Outcome.FAIL, Outcome.PASS]
    session_checks = {c.id: c for c in REGISTRY.session_checks("annuaire")}
    next_links = run_check(session_checks["annuaire.next-links"], calls, [])
    assert next_links[0].outcome == Outcome.FAIL
    follow = next(link["url"] for link in page["link"] if link["relation"] == "next")
    requests.get(follow, headers={"ESANTE-API-KEY": "socle-bench-test-key"}, verify=verify, timeout=10)
    calls = mss_bench.runtime.journal.query(ExchangeQuery(session=session, service="annuaire"))
    assert run_check(session_checks["annuaire.next-links"], calls, [])[0].outcome == Outcome.PASS
    found = run_check(session_checks["annuaire.search-params"], calls, [])
    assert found[0].outcome == Outcome.PASS, found
    burst = [Exchange(session=session, service="annuaire", operation="Practitioner.search", started_at=1000 + i * 0.01)
             for i in range(20)]
    assert run_check(session_checks["annuaire.rate-limit"], burst, [])[0].outcome == Outcome.FAIL
    assert run_check(session_checks["annuaire.rate-limit"], burst[:17], [])[0].outcome == Outcome.PASS


def test_receipt_requests_and_mdn_format(mail, token_for, session, mss_bench) -> None:
    from simulators.mss.codec.mdn import build_mdn

    session_checks = {c.id: c for c in REGISTRY.session_checks("mss")}
    token = token_for(AEMO_EDUC, session=session)
    mail.send(compose(AEMO_EDUC, "AEMO", [CRIP], "Sans accusé", "x"), AEMO_EDUC, token)
    found = run_check(session_checks["mss.receipt-requests"], exchanges(mss_bench, session), [])
    assert found[0].outcome == Outcome.FAIL  # never asking for any receipt is the defect itself (issue 14)
    mail.send(compose(AEMO_EDUC, "AEMO", [CRIP], "Avec accusés", "x", dnt=True), AEMO_EDUC, token, notify="SUCCESS")
    found = run_check(session_checks["mss.receipt-requests"], exchanges(mss_bench, session), [])
    assert found[0].outcome == Outcome.PASS
    original = compose(CRIP, "CRIP", [AEMO_EDUC], "Question", "x", dnt=True)
    good = build_mdn(wire_bytes(original), reporter=AEMO_EDUC)
    bad = good.replace(b"Disposition: automatic-action", b"Disposition: nimporte-quoi")
    for raw in (good, bad):
        client = mail.smtp(AEMO_EDUC, token)
        client.sendmail(AEMO_EDUC, [CRIP], raw)
        client.quit()
    mdns = [e for e in exchanges(mss_bench, session, "send") if e.summary.get("report") == "mdn"]
    assert [_judge(e)["mss.mdn-well-formed"] for e in mdns] == [Outcome.PASS, Outcome.FAIL]


def test_receipts_are_asked_of_the_dui_not_of_the_persons_mon_espace_sante_app() -> None:
    """mss@19 judges each sending box of the DUI; a reply the person writes in Mon espace santé (played by
    the bench) is not the DUI's and must neither fail nor hide the DUI's own missing receipts."""
    from conformance.checks_mss import receipt_requests
    from conformance.outcomes import Outcome
    from simulators.core.exchange import Exchange

    def sent(sender: str) -> Exchange:
        return Exchange(session="s", service="mss", operation="send", started_at=1.0, protocol="smtp",
                        summary={"headers": {}, "mail_from": sender, "recipients": [{"recipient": "x@y.mssante.fr"}]})

    patient_only = [sent("1120675114002@patient.mssante.fr")]
    with pytest.raises(Exception) as skipped:
        receipt_requests(patient_only)
    assert "aucun courriel" in str(skipped.value)
    findings = receipt_requests([*patient_only, sent("infirmiere@ehpad.mssante.fr")])
    assert [f.outcome for f in findings] == [Outcome.FAIL] and "infirmiere@" in findings[0].message
