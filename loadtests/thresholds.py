"""Pass/fail of a load run: locust's CSV statistics judged against the limits of a TOML file.

The file has `[default]` limits, overridden per profile (`[profiles.<name>]`) and per request name
(`[profiles.<name>.requests."<locust name>"]`). The aggregate row is judged against the profile's
limits; a request named in the file is judged against its own (and must have run).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from simulators.core.errors import BenchError

DEFAULT_FILE = Path(__file__).with_name("thresholds.toml")


class ThresholdError(BenchError, ValueError):
    """The thresholds file is unreadable or names an unknown limit."""


@dataclass(frozen=True)
class Limits:
    p95_ms: float | None = None
    p99_ms: float | None = None
    error_rate: float | None = None  # failures / requests, 0..1
    min_requests: int | None = None
    min_rps: float | None = None

    def merged(self, data: dict[str, Any], where: str) -> Limits:
        known = {f.name for f in fields(self)}
        unknown = set(data) - known - {"requests"}
        if unknown:
            raise ThresholdError(f"{where}: unknown limit(s) {', '.join(sorted(unknown))}; "
                                 f"known: {', '.join(sorted(known))}")
        return replace(self, **{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class ProfileLimits:
    aggregate: Limits
    requests: dict[str, Limits]


@dataclass(frozen=True)
class StatRow:
    """One row of locust's statistics (same columns as its `_stats.csv`)."""

    type: str
    name: str
    requests: int
    failures: int
    median_ms: float
    p95_ms: float
    p99_ms: float
    rps: float

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


@dataclass(frozen=True)
class Verdict:
    scope: str  # "overall" or the request name
    metric: str
    limit: float
    actual: float
    ok: bool

    @property
    def message(self) -> str:
        mark = "OK " if self.ok else "FAIL"
        op = ">=" if self.metric.startswith("min_") else "<="
        return f"{mark} {self.scope}: {self.metric} = {_fmt(self.actual)} (limit {op} {_fmt(self.limit)})"


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def load_limits(profile: str, path: Path | None = None) -> ProfileLimits:
    path = path or DEFAULT_FILE
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThresholdError(f"unreadable thresholds file {path}: {exc}") from exc
    base = Limits().merged(data.get("default", {}), "[default]")
    section = data.get("profiles", {}).get(profile, {})
    aggregate = base.merged(section, f"[profiles.{profile}]")
    requests = {name: Limits().merged(values, f"[profiles.{profile}.requests.{name!r}]")
                for name, values in section.get("requests", {}).items()}
    return ProfileLimits(aggregate=aggregate, requests=requests)


def read_stats(stats_json: Path) -> list[StatRow]:
    """Rows of locust's `--json-file` output (the complete final statistics; the periodic CSV can
    miss the last second), plus the "Aggregated" row computed the way locust does."""
    entries = json.loads(Path(stats_json).read_text(encoding="utf-8"))
    rows = [_row(e["method"] or "", e["name"], [e]) for e in entries]
    return [*rows, _row("", "Aggregated", entries)]


def _row(kind: str, name: str, entries: list[dict[str, Any]]) -> StatRow:
    histogram: dict[int, int] = {}
    for entry in entries:
        for rt, count in entry["response_times"].items():
            histogram[int(float(rt))] = histogram.get(int(float(rt)), 0) + int(count)
    requests = sum(e["num_requests"] for e in entries)
    start = min((e["start_time"] for e in entries), default=0.0)
    last = max((e["last_request_timestamp"] or 0.0 for e in entries), default=0.0)
    return StatRow(type=kind, name=name, requests=requests, failures=sum(e["num_failures"] for e in entries),
                   median_ms=percentile(histogram, 0.5), p95_ms=percentile(histogram, 0.95),
                   p99_ms=percentile(histogram, 0.99), rps=requests / max(last - start, 1.0))


def percentile(histogram: dict[int, int], fraction: float) -> float:
    """locust's own rule over its rounded response-time histogram, so figures match its report."""
    total = sum(histogram.values())
    wanted = int(total * fraction)
    seen = 0
    for response_time in sorted(histogram, reverse=True):
        seen += histogram[response_time]
        if total - seen <= wanted:
            return float(response_time)
    return 0.0


def judge(rows: list[StatRow], limits: ProfileLimits) -> list[Verdict]:
    aggregate = next((r for r in rows if r.name == "Aggregated"), None)
    verdicts = _judge_row("overall", aggregate, limits.aggregate)
    for name, own in sorted(limits.requests.items()):
        named = [r for r in rows if r.name == name]
        row = named[0] if len(named) == 1 else _combine(name, named)
        verdicts += _judge_row(name, row, own)
    return verdicts


def _combine(name: str, rows: list[StatRow]) -> StatRow | None:
    """The same name under two request types (rare): judge the worst of them."""
    if not rows:
        return None
    return StatRow(type="*", name=name, requests=sum(r.requests for r in rows),
                   failures=sum(r.failures for r in rows), median_ms=max(r.median_ms for r in rows),
                   p95_ms=max(r.p95_ms for r in rows), p99_ms=max(r.p99_ms for r in rows),
                   rps=sum(r.rps for r in rows))


def _judge_row(scope: str, row: StatRow | None, limits: Limits) -> list[Verdict]:
    if row is None or row.requests == 0:
        return [Verdict(scope, "min_requests", float(max(limits.min_requests or 1, 1)), 0.0, False)]
    checks = [("p95_ms", limits.p95_ms, row.p95_ms, False), ("p99_ms", limits.p99_ms, row.p99_ms, False),
              ("error_rate", limits.error_rate, row.error_rate, False),
              ("min_requests", limits.min_requests, float(row.requests), True),
              ("min_rps", limits.min_rps, row.rps, True)]
    return [Verdict(scope, metric, float(limit), float(actual), actual >= limit if at_least else actual <= limit)
            for metric, limit, actual, at_least in checks if limit is not None]
