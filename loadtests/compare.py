"""The peer columns of the benchmark: measure each suite's workloads on WireMock / MailDev and on the
floor in the same run, and express the bench's figures as ratios to them."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from . import peers
from .common import LoadResult, http_load_process, smtp_load_process
from .peer_workloads import DEFAULT_WORKLOADS, HttpWorkload, SmtpWorkload, Workload
from simulators.core.pki.testing import make_test_pki


def find_metric(result: Any, keys: tuple[str, ...]) -> float | None:
    """First of `keys` found in the suite's result: a dotted path ("operator.accepted_per_s"), or a
    plain key looked for at the top level, then in nested tables."""
    if isinstance(result, dict):
        for key in keys:
            value: Any = result
            for part in key.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        for value in result.values():
            if isinstance(value, dict) and value is not result.get("peers"):
                found = find_metric(value, keys)
                if found is not None:
                    return found
    return None


def compare(suite: str, result: dict[str, Any], *, quick: bool = False, module: Any = None) -> dict[str, Any]:
    """{"workloads": [...]} with, per workload, each peer's figures and the bench/peer ratios."""
    builder = getattr(module, "peer_workloads", None) or DEFAULT_WORKLOADS.get(suite)
    if builder is None:
        return {"workloads": [], "note": f"no comparison workload for {suite}"}
    duration = 2.0 if quick else 5.0
    threads = int(result.get("threads", 4)) if isinstance(result.get("threads"), int) else 4
    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp:
        pki = make_test_pki(Path(tmp) / "pki")  # RSA, as `serve` creates it (the DMP signs with RSA)
        try:
            workloads = builder(Path(tmp), pki)
        except Exception as exc:  # noqa: BLE001 - a missing service must not stop the benchmark
            return {"workloads": [], "note": f"comparison workload unavailable: {exc!r}"}
        out.extend(_measure_workload(workload, result, pki, threads, duration) for workload in workloads)
    return {"workloads": out, "threads": threads, "duration_s": duration}


def _measure_workload(w: Workload, result: dict[str, Any], pki: Any, threads: int, duration: float) -> dict[str, Any]:
    bench_rate = find_metric(result, w.rate_keys)
    bench_p99 = find_metric(result, w.p99_keys)
    entry: dict[str, Any] = {"label": w.label, "bench": {"per_second": bench_rate, "p99_ms": bench_p99},
                             "peers": {}}
    for name, starter in _peers_for(w, pki):
        reported = _reported_by_suite(name, result)
        if reported is not None:  # the suite measured this peer itself, in this run: reuse it
            reported["throughput_ratio"] = _ratio(bench_rate, reported["per_second"])
            reported["p99_ratio"] = _ratio(bench_p99, reported["p99_ms"])
            entry["peers"][name] = reported
            continue
        try:
            with starter() as peer:
                figures = _load(peer, w, threads, duration, warmup=name != "floor")
        except peers.PeerUnavailable as exc:
            entry["peers"][name] = {"unavailable": str(exc)}
            continue
        summary = figures.summary()
        summary["notes"] = peer.notes
        summary["throughput_ratio"] = _ratio(bench_rate, figures.per_second)
        summary["p99_ratio"] = _ratio(bench_p99, figures.percentile(99))
        entry["peers"][name] = summary
    return entry


def _reported_by_suite(peer: str, result: dict[str, Any]) -> dict[str, Any] | None:
    own = result.get(peer)
    if not isinstance(own, dict) or not isinstance(own.get("accepted_per_s"), (int, float)):
        return None
    return {"per_second": float(own["accepted_per_s"]), "p99_ms": float(own.get("smtp_p99_ms") or 0.0),
            "notes": ["measured by the service's own suite in this run"]}


def _peers_for(w: Workload, pki: Any) -> list[tuple[str, Any]]:
    if isinstance(w, SmtpWorkload):
        return [("maildev", peers.maildev), ("floor", peers.floor_smtp)]
    found = [("wiremock", lambda: peers.wiremock(w.method, w.path.split("?")[0], w.response, https=True)),
             ("floor", lambda: peers.floor_http(w.response, pki=pki, client_cert=w.client_cert))]
    if w.service_spec:
        found.append(("gunicorn", lambda: peers.gunicorn_service(w.service_spec, pki, client_cert=w.client_cert)))
    return found


def _load(peer: peers.RunningPeer, w: Workload, threads: int, duration: float, *, warmup: bool) -> LoadResult:
    if isinstance(w, SmtpWorkload):
        host, port = peer.url.split("://")[1].split(":")
        run = lambda seconds: smtp_load_process(host, int(port), sender=w.sender, recipients=w.recipients,  # noqa: E731
                                                message=w.message, threads=threads, duration_s=seconds)
    else:
        assert isinstance(w, HttpWorkload)
        run = lambda seconds: http_load_process(peer.url + w.path, tls=peer.tls, method=w.method,  # noqa: E731
                                                body=w.body, headers=w.headers, threads=threads, duration_s=seconds)
    if warmup:  # a JVM or node peer gets its JIT warm before it is measured
        run(min(2.0, duration))
    figures = run(duration)
    if figures.requests == 0 or figures.errors > figures.requests / 10:
        raise peers.PeerUnavailable(f"{peer.name}: {figures.errors} errors for {figures.requests} responses")
    return figures


def _ratio(bench: float | None, peer: float) -> float | None:
    return round(bench / peer, 3) if bench is not None and peer else None


def rows(comparison: dict[str, Any]) -> list[tuple[str, str]]:
    """Table rows: one per workload and peer, with the ratio; an unavailable peer says why."""
    lines: list[tuple[str, str]] = []
    if comparison.get("note"):
        lines.append(("peers", comparison["note"]))
    for w in comparison.get("workloads", []):
        bench = w["bench"]
        rate = f"{bench['per_second']:,.1f}/s" if bench["per_second"] is not None else "n/a (key missing)"
        for name, peer in w["peers"].items():
            label = f"{w['label']} / {name}"
            if "unavailable" in peer:
                lines.append((label, f"unavailable: {peer['unavailable']}"))
                continue
            ratio = peer["throughput_ratio"]
            p99 = peer["p99_ratio"]
            lines.append((label, f"bench {rate} / {name} {peer['per_second']:,.1f}/s = "
                                 f"{'n/a' if ratio is None else f'{ratio:.3f}'}; p99 {peer['p99_ms']:.1f} ms"
                                 f" (p99 ratio {'n/a' if p99 is None else f'{p99:.2f}'})"))
    return lines
