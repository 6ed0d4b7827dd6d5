"""The fast paths of the SMTP adapter give what the slow paths they skip give: aiosmtpd's address parser,
the ASCII folding of replies, the hand-over of identical submissions."""

from __future__ import annotations

import random

import pytest
from aiosmtpd.smtp import SMTP

from simulators.mss.codec import mime
from simulators.mss.codec.mime import MessageParts, PartsMemo
from simulators.mss.server import smtp_replies
from simulators.mss.server.smtp_protocol import _SIMPLE_ADDRESS, MssSMTP

ADDRESSES = ["<a@b>", "<jean.dupont@aemo.mssante.fr>", "<a_b+c-d@e-f.g> SIZE=1 BODY=8BITMIME", "<a@b>  X",
             "<a@b> (c) X", "<a@b>\tX", "<a@b>X", "<a@b.>", "<a..b@c>", "<.a@b>", "<a.@b>", "<a@[1.2.3.4]>", "<>",
             "<a@b> ", " <a@b>", "a@b", "<a@b> X ", "<a@b> X\t(c)", "<\"q q\"@b>", "<a@b@c>", "<a@b> RET=HDRS",
             "<é@b>", "<a@b> (x)", "<a b@c>", "<" + "l" * 70 + "@b>", "<a@b>>", "<<a@b>"]


def _fuzz(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "ab.@<> _+-(\t=é\"[]"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(count)]


def _outcome(parse, arg: str) -> object:
    try:
        return parse(arg)
    except Exception as exc:  # noqa: BLE001 - the stdlib parser raises on some garbage: the same must happen
        return type(exc).__name__


def _addresses(seed: int, count: int) -> list[str]:
    """Near-plain addresses: dots anywhere, a few odd characters, parameters or not."""
    rng = random.Random(seed)

    def word(alphabet: str) -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
    tails = ["", " SIZE=1", " ", "  X", "\tX", "X", " (c)", " RET=HDRS ENVID=x"]
    return [f"<{word('ab._+-')}@{word('cd.-_')}>{rng.choice(tails)}" for _ in range(count)]


@pytest.mark.parametrize("limit", [0, 64])
def test_fast_address_parser_answers_as_aiosmtpd(limit: int) -> None:
    server = MssSMTP.__new__(MssSMTP)  # only the parser is exercised: no connection, no handler
    server.local_part_limit = limit
    fast_taken = 0
    for arg in ADDRESSES + _fuzz(7, 3000) + ["<" + w + ">" + r for w in _fuzz(8, 500) for r in ("", " P=1")] + _addresses(9, 3000):
        assert _outcome(server._getaddr, arg) == _outcome(lambda a: SMTP._getaddr(server, a), arg), arg
        fast_taken += _SIMPLE_ADDRESS.fullmatch(arg) is not None
    assert fast_taken > 10  # the fast path was compared, not only the fallback


def test_ascii_text_fast_path_is_the_folding_result() -> None:
    samples = ["250 2.0.0 OK", "250 2.1.5 Destinataire accepté", "x\r\ny", "tab\there", "\x7f", "~ok", "",
               "550 5.7.1 Boîte de l'expéditeur supprimée", "ﬁ ligature"]
    rng = random.Random(3)
    samples += ["".join(chr(rng.randint(0, 300)) for _ in range(12)) for _ in range(500)]

    def slow(text: str) -> str:
        import unicodedata  # lazy: the reference implementation, for this test only
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return "".join(ch for ch in folded if " " <= ch <= "~")
    for text in samples:
        assert smtp_replies.ascii_text(text) == slow(text), repr(text)


def test_identical_submissions_in_flight_each_get_their_hand_over() -> None:
    memo, first, second = PartsMemo(size=4, max_bytes=4000), MessageParts(pdfs=[b"1"]), MessageParts(pdfs=[b"2"])
    memo.put(b"same" * 10, first)
    memo.put(b"same" * 10, second)
    assert len(memo) == 2
    assert memo.pop(b"same" * 10) is first and memo.pop(b"same" * 10) is second  # oldest first
    assert memo.pop(b"same" * 10) is None and len(memo) == 0


def test_the_memo_bound_counts_every_entry_of_identical_submissions() -> None:
    memo = PartsMemo(size=3, max_bytes=4000)
    for n in range(5):
        memo.put(b"same" * 10, MessageParts(pdfs=[bytes([n])]))
    assert len(memo) == 3
    assert [memo.pop(b"same" * 10).pdfs for _ in range(3)] == [[b"\x02"], [b"\x03"], [b"\x04"]]
    memo = PartsMemo(size=10, max_bytes=100)
    for n in range(3):
        memo.put(b"x" * 25, MessageParts(pdfs=[bytes([n])]))
    memo.put(b"y" * 25, MessageParts())
    memo.put(b"z" * 25, MessageParts())  # 125 bytes: the oldest "x" goes
    assert len(memo) == 4 and memo.pop(b"x" * 25).pdfs == [b"\x01"]


def test_the_shared_memo_is_the_multiset_one() -> None:
    assert isinstance(mime.HANDED_OVER, PartsMemo)
