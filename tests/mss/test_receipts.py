"""DSN (RFC 3464) and ANS-format MDN (RFC 8098) codecs."""

from __future__ import annotations

import email

from simulators.mss.codec.dsn import build_dsn, parse_dsn
from simulators.mss.codec.mdn import KO_PREFIX, build_mdn, parse_mdn
from simulators.mss.model import RecipientOutcome, Refusal

ORIGINAL = (b"From: <a@cd93.mssante.test>\r\nTo: <greffe@tribunal-judiciaire.justice.test>\r\n"
            b"Subject: Rapport\r\nMessage-ID: <m1@cd93.mssante.test>\r\n"
            b"Disposition-Notification-To: a@cd93.mssante.test\r\n\r\nCorps\r\n")


def test_failure_dsn_round_trip() -> None:
    refusal = Refusal(550, "5.7.1", "Domaine hors de l'espace de confiance MSSanté")
    raw = build_dsn(original=ORIGINAL, outcomes=[RecipientOutcome("greffe@tribunal-judiciaire.justice.test", False, refusal)],
                    sender="a@cd93.mssante.test", reporting_mta="mss.test", action="failed", envelope_id="ENV1")
    msg = email.message_from_bytes(raw)
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    report = parse_dsn(raw)
    assert report.reporting_mta == "mss.test"
    assert report.original_envelope_id == "ENV1"
    [rcpt] = report.recipients
    assert (rcpt.final_recipient, rcpt.action, rcpt.status) == ("greffe@tribunal-judiciaire.justice.test", "failed", "5.7.1")
    assert "550" in rcpt.diagnostic
    assert b"Message-ID: <m1@cd93.mssante.test>" in report.original_headers
    assert b"Corps" not in report.original_headers


def test_success_dsn() -> None:
    raw = build_dsn(original=ORIGINAL, outcomes=[RecipientOutcome("crip@cd93.mssante.test", True)],
                    sender="a@cd93.mssante.test", reporting_mta="mss.test", action="delivered")
    [rcpt] = parse_dsn(raw).recipients
    assert (rcpt.action, rcpt.status) == ("delivered", "2.0.0")


def test_processing_mdn_success_and_error() -> None:
    ok = parse_mdn(build_mdn(ORIGINAL, reporter="pfi@cd93.mssante.test"))
    assert ok.well_formed and ok.disposition_type == "processed" and ok.error_code == ""
    assert ok.original_message_id == "<m1@cd93.mssante.test>"
    assert ok.subject == "Rapport"
    ko = parse_mdn(build_mdn(ORIGINAL, reporter="pfi@cd93.mssante.test", error_code="902"))
    assert ko.error_code == "902" and ko.error_label == "Identifiant patient inconnu"
    assert ko.disposition.endswith("processed/Error: 902^Identifiant patient inconnu")
    assert ko.subject == f"{KO_PREFIX}[902] Rapport"


def test_parse_refuses_ordinary_mail() -> None:
    for parse in (parse_dsn, parse_mdn):
        try:
            parse(ORIGINAL)
        except ValueError:
            continue
        raise AssertionError(f"{parse.__name__} accepted a plain message")
