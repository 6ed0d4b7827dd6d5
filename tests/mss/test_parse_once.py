"""Parse once: the SMTP handler's analysis hands the decoded attachments to the live checks; an exchange
read back (nothing handed over) is parsed again, and both paths give the same parts and verdicts."""

from __future__ import annotations

import pytest

from conformance.checks import AssertionFailed, CheckSkipped
from conformance.checks_official import n1_pdf_identical
from simulators.mss.codec import mime
from simulators.mss.codec.mime import HANDED_OVER, PartsMemo, analyse_message, analyse_submission, message_parts, parse_message
from tests.conformance.test_official_checks import PDF, n1_xdm, send


def verdict(exchange) -> str:
    try:
        return "pass: " + n1_pdf_identical(exchange)
    except AssertionFailed as exc:
        return f"fail: {exc}"
    except CheckSkipped as exc:
        return f"skip: {exc}"


CASES = {"identical": (n1_xdm(PDF), PDF), "differing": (n1_xdm(PDF), PDF.replace(b"1.4", b"1.7")),
         "no-pdf": (n1_xdm(PDF), None), "no-xdm": (None, PDF), "broken-zip": (b"PK\x03\x04 not a zip", PDF)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_handed_over_and_reparsed_paths_give_the_same_parts_and_verdict(case: str) -> None:
    exchange = send(*CASES[case])
    raw = exchange.request_body
    reparsed_parts, reparsed = message_parts(raw), verdict(exchange)  # nothing handed over: parsed here
    summary = analyse_submission(raw, parse_message(raw))
    assert summary == analyse_message(raw)  # the summary itself is unchanged
    handed = mime.HANDED_OVER.pop(bytes(raw))  # what the handler handed over for these bytes
    assert handed is not None
    assert (handed.pdfs, handed.zips) == (reparsed_parts.pdfs, reparsed_parts.zips)
    assert [p is None for p in handed.packages] == [p is None for p in reparsed_parts.packages]
    analyse_submission(raw, parse_message(raw))
    assert verdict(exchange) == reparsed
    assert mime.HANDED_OVER.pop(raw) is None  # each hand-over is used once


def test_the_check_uses_the_handed_over_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    exchange = send(n1_xdm(PDF), PDF)
    analyse_submission(exchange.request_body, parse_message(exchange.request_body))
    monkeypatch.setattr(mime, "parse_message", lambda raw: pytest.fail("parsed again"))
    assert verdict(exchange).startswith("pass")
    with pytest.raises(pytest.fail.Exception):  # and without a hand-over it does parse (the guard works)
        message_parts(exchange.request_body)


def test_the_memo_is_bounded_in_entries_and_bytes() -> None:
    memo = PartsMemo(size=3, max_bytes=400)
    for n in range(5):
        memo.put(bytes([n]) * 10, mime.MessageParts())
    assert len(memo) == 3 and memo.pop(b"\x00" * 10) is None and memo.pop(b"\x04" * 10) is not None
    memo.put(b"x" * 101, mime.MessageParts())  # more than a quarter of the budget: not kept
    assert memo.pop(b"x" * 101) is None
    for n in range(4):
        memo.put(bytes([n]) * 90, mime.MessageParts())
    assert len(memo) == 3 and memo.pop(b"\x00" * 90) is None


def test_nothing_is_handed_over_when_no_live_check_will_read_it() -> None:
    raw = send(n1_xdm(PDF), PDF).request_body
    analyse_submission(raw, parse_message(raw), hand_over=False)
    assert HANDED_OVER.pop(raw) is None
    analyse_submission(raw, parse_message(raw))
    assert HANDED_OVER.pop(raw) is not None
