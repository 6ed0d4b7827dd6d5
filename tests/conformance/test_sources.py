"""Loading exchanges from a journal file or a bench admin API."""

import json
import socket

import pytest

from conformance.sources import SourceError, fetch_exchanges, parse_since, read_journal, select, write_journal
from tests.conformance.factories import T0, make_exchange


def test_journal_round_trip_keeps_bodies_and_verdicts(tmp_path):
    original = make_exchange(body=b"\x00\xffbinaire", fault="latence")
    write_journal(tmp_path / "j.jsonl", [original])
    [loaded] = read_journal(tmp_path / "j.jsonl")
    assert loaded == original


def test_journal_errors_name_the_line(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_text(json.dumps(make_exchange().to_json()) + "\n\n{pas du json\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"j.jsonl:3"):
        read_journal(path)
    with pytest.raises(SourceError, match="journal illisible"):
        read_journal(tmp_path / "absent.jsonl")


@pytest.mark.parametrize("text, expected", [
    (None, None), ("", None), ("1790000000.5", 1790000000.5),
    ("2026-11-22T03:00:00Z", 1795316400.0), ("2026-11-22T03:00:00", 1795316400.0),
    ("2026-11-22T04:00:00+01:00", 1795316400.0),
])
def test_parse_since(text, expected):
    assert parse_since(text) == expected


def test_parse_since_rejects_garbage():
    with pytest.raises(SourceError, match="--since"):
        parse_since("hier")


def test_select_filters_session_service_and_time():
    a = make_exchange(session="s1", service="echo", started_at=T0)
    b = make_exchange(session="s1", service="ins", started_at=T0 + 10)
    c = make_exchange(session="s2", service="echo", started_at=T0 + 20)
    assert select([a, b, c], session="s1", services=None, since=None) == [a, b]
    assert select([a, b, c], session="s1", services=["ins"], since=None) == [b]
    assert select([a, b, c], session=None, services=None, since=T0 + 5) == [b, c]


class FakeResponse:
    def __init__(self, status, payload):
        self.status_code, self._payload, self.text = status, payload, json.dumps(payload)

    def json(self):
        return self._payload


class FakeHttp:
    """Serves pages of two exchanges keyed by the ``after`` cursor, recording every call."""

    def __init__(self, exchanges, *, status=200, stuck=False):
        self.exchanges, self.status, self.stuck, self.calls = exchanges, status, stuck, []

    def get(self, url, params, timeout):
        self.calls.append(dict(params))
        ids = [e.id for e in self.exchanges]
        start = 0 if "after" not in params or self.stuck else ids.index(params["after"]) + 1
        page = self.exchanges[start:start + 2]
        more = start + 2 < len(self.exchanges)
        return FakeResponse(self.status, {"exchanges": [e.to_json() for e in page],
                                          "next_after": page[-1].id if more else None})


def test_fetch_pages_with_the_after_cursor_until_exhausted():
    exchanges = [make_exchange(started_at=T0 + i) for i in range(5)]
    http = FakeHttp(exchanges)
    loaded = fetch_exchanges("http://bench:8080/", session="s1", services=["echo"], since=T0, http=http)
    assert [e.id for e in loaded] == [e.id for e in exchanges]
    assert len(http.calls) == 3
    assert http.calls[0] == {"session": "s1", "limit": 1000, "bodies": 1, "service": "echo", "since": repr(T0)}
    assert http.calls[2]["after"] == exchanges[3].id


def test_fetch_refuses_a_cursor_that_does_not_advance_and_bad_statuses():
    exchanges = [make_exchange() for _ in range(3)]
    with pytest.raises(SourceError, match="n'avance pas"):
        fetch_exchanges("http://bench", session="s1", http=FakeHttp(exchanges, stuck=True))
    with pytest.raises(SourceError, match="attendu HTTP 200, obtenu 404"):
        fetch_exchanges("http://bench", session="s1", http=FakeHttp(exchanges, status=404))


def test_fetch_reports_an_unreachable_bench():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SourceError, match="banc injoignable"):
        fetch_exchanges(f"http://127.0.0.1:{port}", session="s1", timeout=2)


def test_admin_credentials_come_from_the_environment() -> None:
    from conformance.sources import bench_session

    http = bench_session({"SOCLE_BENCH_ADMIN_TOKEN": "tok-123", "SOCLE_BENCH_SESSION_SECRET": "sec-456"})
    assert http.headers["Authorization"] == "Bearer tok-123" and http.headers["X-Bench-Session-Secret"] == "sec-456"
    assert "Authorization" not in bench_session({}).headers
