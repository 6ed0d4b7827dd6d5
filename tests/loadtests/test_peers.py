"""Peer columns of the benchmark: the floor servers, the SMTP load, ratios and table rows."""

from __future__ import annotations

from loadtests import peers
from loadtests.common import http_load, smtp_load
from loadtests.compare import find_metric, rows


def test_http_floor_answers_the_canned_response() -> None:
    canned = peers.CannedResponse(200, {"Content-Type": "application/soap+xml", "Content-Length": "1"}, b"<ok/>")
    with peers.floor_http(canned) as floor:
        result = http_load(floor.url + "/lps", body=b"<q/>", threads=2, duration_s=0.3,
                           ok=lambda status, body: status == 200 and body == b"<ok/>")
    assert result.requests > 0 and result.errors == 0


def test_smtp_floor_and_load_count_accepted_messages() -> None:
    with peers.floor_smtp() as floor:
        host, port = floor.url.split("://")[1].split(":")
        result = smtp_load(host, int(port), sender="a@test.mssante.fr", recipients=["b@test.mssante.fr"],
                           message=b"Subject: x\r\n\r\n" + (b"y" * 76 + b"\r\n") * 600, threads=2, duration_s=0.3)
    assert result.requests > 0 and result.errors == 0


def test_metrics_are_found_in_nested_results_and_ratios_printed() -> None:
    assert find_metric({"iti41": {"docs_per_s": 12.5}, "peers": {"docs_per_s": 1}}, ("docs_per_s",)) == 12.5
    assert find_metric({"x": 1}, ("docs_per_s",)) is None
    comparison = {"workloads": [{"label": "INSi lookups/s", "bench": {"per_second": 300.0, "p99_ms": 20.0},
                                 "peers": {"wiremock": {"unavailable": "Java not found on this machine"},
                                           "floor": {"per_second": 1200.0, "p99_ms": 5.0,
                                                     "throughput_ratio": 0.25, "p99_ratio": 4.0}}}]}
    table = dict(rows(comparison))
    assert table["INSi lookups/s / wiremock"] == "unavailable: Java not found on this machine"
    assert "= 0.250" in table["INSi lookups/s / floor"] and "p99 ratio 4.00" in table["INSi lookups/s / floor"]


def test_replayable_workloads_are_also_measured_behind_gunicorn() -> None:
    from loadtests.compare import _peers_for
    from loadtests.peer_workloads import HttpWorkload

    canned = peers.CannedResponse(200, {}, b"")
    plain = HttpWorkload("x", ("a",), ("b",), "POST", "/p", {}, b"", canned)
    served = HttpWorkload("x", ("a",), ("b",), "POST", "/p", {}, b"", canned, service_spec="m:F")
    assert [name for name, _ in _peers_for(plain, None)] == ["wiremock", "floor"]
    assert [name for name, _ in _peers_for(served, None)] == ["wiremock", "floor", "gunicorn"]
