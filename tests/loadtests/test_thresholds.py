"""Thresholds file, locust statistics and the options of `socle-bench load`, without running locust."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loadtests.profiles import PROFILES, UnknownProfileError, find_profile
from loadtests.runner import LoadUsageError, duration_seconds, parse_fault
from loadtests.thresholds import (DEFAULT_FILE, Limits, ProfileLimits, StatRow, ThresholdError, judge, load_limits,
                                  percentile, read_stats)


def _entry(method: str, name: str, times: dict[int, int], failures: int = 0) -> dict:
    n = sum(times.values())
    return {"method": method, "name": name, "num_requests": n, "num_failures": failures, "start_time": 100.0,
            "last_request_timestamp": 110.0, "response_times": {str(k): v for k, v in times.items()}}


def test_profile_limits_override_the_defaults_and_name_requests(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[default]\np95_ms = 900\nerror_rate = 0.02\n[profiles.x]\np95_ms = 300\n'
                    '[profiles.x.requests."INSi rechercher"]\np99_ms = 50\n', encoding="utf-8")
    limits = load_limits("x", path)
    assert limits.aggregate == Limits(p95_ms=300, error_rate=0.02)
    assert limits.requests == {"INSi rechercher": Limits(p99_ms=50)}
    assert load_limits("other", path).aggregate.p95_ms == 900


def test_unknown_limit_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text("[default]\np96_ms = 1\n", encoding="utf-8")
    with pytest.raises(ThresholdError, match="unknown limit\\(s\\) p96_ms"):
        load_limits("x", path)


def test_shipped_thresholds_cover_every_profile() -> None:
    for profile in PROFILES:
        assert load_limits(profile.name, DEFAULT_FILE).aggregate.p95_ms is not None
        assert profile.locustfile.exists(), profile.locustfile


def test_statistics_follow_locusts_own_percentile_rule(tmp_path: Path) -> None:
    stats = tmp_path / "final.json"
    stats.write_text(json.dumps([_entry("SOAP", "a", {10: 90, 200: 10}), _entry("SMTP", "b", {20: 50}, failures=5)]))
    rows = {r.name: r for r in read_stats(stats)}
    assert (rows["a"].p95_ms, rows["a"].median_ms, rows["a"].rps) == (200.0, 10.0, 10.0)
    aggregated = rows["Aggregated"]
    assert (aggregated.requests, aggregated.failures, aggregated.p95_ms) == (150, 5, 200.0)
    assert percentile({}, 0.95) == 0.0 and percentile({7: 1}, 0.5) == 7.0


def test_judging_names_each_missed_limit() -> None:
    rows = [StatRow("SOAP", "a", 100, 3, 10, 250, 400, 9.5), StatRow("", "Aggregated", 100, 3, 10, 250, 400, 9.5)]
    limits = ProfileLimits(Limits(p95_ms=200, error_rate=0.05, min_rps=10),
                           {"a": Limits(p99_ms=500), "missing": Limits(p95_ms=1)})
    verdicts = {(v.scope, v.metric): v for v in judge(rows, limits)}
    assert not verdicts[("overall", "p95_ms")].ok and verdicts[("overall", "error_rate")].ok
    assert not verdicts[("overall", "min_rps")].ok and verdicts[("a", "p99_ms")].ok
    assert not verdicts[("missing", "min_requests")].ok  # a named request that never ran fails
    assert verdicts[("overall", "p95_ms")].message == "FAIL overall: p95_ms = 250 (limit <= 200)"


def test_fault_and_duration_options() -> None:
    assert parse_fault("service=dmp,kind=latency,latency_ms=3000,duration_s=600") == {
        "service": "dmp", "kind": "latency", "latency_ms": 3000, "duration_s": 600}
    assert parse_fault('{"kind": "drop", "probability": 0.1}') == {"kind": "drop", "probability": 0.1}
    with pytest.raises(LoadUsageError):
        parse_fault("kind")
    assert [duration_seconds(t) for t in ("30s", "2m", "1h30m", "45")] == [30, 120, 5400, 45]
    with pytest.raises(LoadUsageError, match="invalid duration"):
        duration_seconds("bientôt")
    with pytest.raises(UnknownProfileError, match="unknown profile"):
        find_profile("nope")
