"""Parse once: the live checks read the `InsiRequest` the server decoded (`Exchange.decoded`, memory only),
and reach exactly the verdicts they reach by parsing the stored bytes (an exchange read back from a journal)."""

from __future__ import annotations

from simulators.core.bench import Bench
from tests.support.live import recording_checker, verdict_rows
from simulators.core.exchange import Exchange, new_exchange_id
from simulators.ins import reading
from simulators.ins.codec import DECODED_REQUEST
from simulators.ins.model import TraitsQuery, VitaleQuery
from simulators.ins.server import InsSimulator
from tests.conftest import make_config
from tests.ins.conftest import session_url
from tests.ins.helpers import CONTENT_TYPE, post, request_bytes

VITALE = VitaleQuery("2750999123456", "12", "", "", "ADRUN", "1975-12-31", "1")



def test_decoded_request_and_parsed_bytes_give_the_same_verdicts(tmp_path, monkeypatch) -> None:
    parses: list[str] = []
    real_parse = reading.parse_request

    def counting_parse(body, content_type=None):
        parses.append(content_type or "")
        return real_parse(body, content_type)

    monkeypatch.setattr(reading, "parse_request", counting_parse)
    base, checker, live = recording_checker()

    good = request_bytes()
    with Bench(make_config(tmp_path), [InsSimulator()], live_checker=checker) as bench:
        url = session_url(bench, "parse-once")
        post(url, good)
        post(url, request_bytes(TraitsQuery("adrun", ("ZOE",), "F", "1975-12-31")))  # not normalised
        post(url, request_bytes(VITALE))
        post(url, good.replace(b"urn:uuid:", b"urn:uuid:x"))  # malformed MessageID
        post(url, good, content_type=CONTENT_TYPE + ';action="urn:autre"')  # action mismatch
        post(url, good.replace(b"<ctxlps:Id>", b"<ctxlps:Idx>").replace(b"</ctxlps:Id>", b"</ctxlps:Idx>"))
        post(url, b"<pas-du-soap/>")  # unreadable: no decoded request, parsed by the checks
        assert bench.runtime.journal.flush(30)
        live_parses = len(parses)
    assert len(live) == 7
    decoded = [ex for ex, _ in live if DECODED_REQUEST in ex.decoded]
    assert len(decoded) == 6  # every readable request came with the server's reading
    assert live_parses == 1  # ... so only the unreadable one was parsed again
    for exchange, verdicts in live:
        replay = Exchange.from_json(exchange.to_json())  # as read back from a journal: nothing decoded
        replay.id = new_exchange_id()  # a fresh reading, not the memoised one
        assert not replay.decoded
        assert verdict_rows(base(replay)) == verdicts, exchange.summary
    assert len(parses) == live_parses + 7  # the replays were parsed


def test_the_cr_of_an_answer_the_server_built_is_read_from_memory_for_those_bytes_only(tmp_path, monkeypatch) -> None:
    from simulators.ins.codec import DECODED_ANSWER

    answers: list[int] = []
    real = reading.parse_response

    def counting(body, status=200):
        answers.append(status)
        return real(body, status)

    monkeypatch.setattr(reading, "parse_response", counting)
    seen: list[Exchange] = []
    with Bench(make_config(tmp_path), [InsSimulator()], live_checker=lambda ex: seen.append(ex) or []) as bench:
        url = session_url(bench, "answers")
        post(url, request_bytes())  # CR 00
        post(url, request_bytes(TraitsQuery("INCONNU", ("PERSONNE",), "F", "1975-12-31")))  # CR 01
        post(url, b"<pas-du-soap/>")  # a fault: parsed by the checks
        assert bench.runtime.journal.flush(30)
    crs = [reading.read(ex).cr for ex in seen]
    assert len(answers) == 1  # only the fault's answer was parsed
    assert crs[:2] == ["00", "01"]
    for exchange, cr in zip(seen, crs, strict=True):  # the same CR as parsing the bytes
        replay = Exchange.from_json(exchange.to_json())
        replay.id = new_exchange_id()
        assert reading.read(replay).cr == cr
    used = Exchange.from_json(seen[0].to_json())
    used.id = new_exchange_id()
    used.decoded[DECODED_ANSWER] = (used.response_body, "02")  # same bytes: the server's reading is used
    assert reading.read(used).cr == "02"
    other = Exchange.from_json(seen[0].to_json())
    other.id = new_exchange_id()
    other.decoded[DECODED_ANSWER] = (b"<autre/>", "02")  # other bytes (an injected error replaced the answer)
    assert reading.read(other).cr == "00"
