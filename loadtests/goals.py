"""The benchmark's goals (issue 18), judged over the results of one `bench all` run.

Each goal names where its figure lives in the run's results (a dotted path; `name[key=value]` picks
an item of a list), how it is compared and with what: an absolute target, or a peer measured in the
same run, in which case the ratio measured/peer is compared with the target. A figure that is not
there gives NOT MEASURED with the reason found on the way (suite not run, peer unavailable, data
size not measured…), never MET. A goal measured on a bench that does less than `serve` (live checks
off, journal not durable, no TLS: loadtests/production.py) is not MET but MET* with the difference.

A suite module may add goals with a module-level `GOALS` list (see `collect`).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .production import departures

MET, MISS, NOT_MEASURED, MET_REDUCED = "MET", "MISS", "NOT MEASURED", "MET*"
COMPARATORS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


@dataclass(frozen=True)
class Goal:
    id: str
    label_fr: str
    label_en: str
    metric: str  # path of the measured figure in the results
    comparator: str  # one of COMPARATORS
    target: float  # the ratio to the peer when `peer` is set, else the figure itself
    peer: str = ""  # path of the peer's figure measured in the same run
    peer_name: str = ""
    unit: str = ""
    facts: str = ""  # path of the runtime facts of the bench that produced the figure
    requires: dict[str, Any] = field(default_factory=dict)  # path -> value the run must have had


def _workload(suite: str, label: str, peer: str = "wiremock") -> str:
    return f"suites.{suite}.peers.workloads[label={label}].peers.{peer}.per_second"


GOALS: list[Goal] = [
    Goal("ins-wiremock", "INSi : recherches/s ≥ 1,0 × WireMock", "INSi lookups/s >= 1.0x WireMock",
         "suites.ins.lookups_per_s", ">=", 1.0, _workload("ins", "INSi lookups/s"), "WireMock", "/s",
         "suites.ins.facts"),
    Goal("dmp-iti41-wiremock", "DMP ITI-41 : documents/s ≥ 0,5 × WireMock", "DMP ITI-41 documents/s >= 0.5x WireMock",
         "suites.dmp.iti41_documents_per_s", ">=", 0.5, _workload("dmp", "DMP ITI-41 documents/s"), "WireMock",
         "/s", "suites.dmp.facts"),
    Goal("dmp-iti18-100k", "DMP ITI-18 : p99 ≤ 20 ms à 100 000 documents", "DMP ITI-18 p99 <= 20 ms at 100,000 documents",
         "series.dmp.points[size=100000].iti18_p99_ms", "<=", 20.0, unit="ms",
         facts="series.dmp.points[size=100000].facts"),
    Goal("dmp-iti18-1m", "DMP ITI-18 : p99 ≤ 40 ms à 1 000 000 documents",
         "DMP ITI-18 p99 <= 40 ms at 1,000,000 documents", "series.dmp.points[size=1000000].iti18_p99_ms", "<=", 40.0,
         unit="ms", facts="series.dmp.points[size=1000000].facts"),
    Goal("ror-wiremock", "ROR : recherches/s ≥ 0,5 × WireMock", "ROR searches/s >= 0.5x WireMock",
         "suites.ror.searches_per_s", ">=", 0.5, _workload("ror", "ROR searches/s"), "WireMock", "/s",
         "suites.ror.facts"),
    Goal("ror-p99-20k", "ROR : p99 ≤ 30 ms à 20 000 offres", "ROR p99 <= 30 ms at 20,000 offers",
         "series.ror.points[size=20000].p99_ms", "<=", 30.0, unit="ms", facts="series.ror.points[size=20000].facts"),
    Goal("ror-p99-200k", "ROR : p99 ≤ 60 ms à 200 000 offres", "ROR p99 <= 60 ms at 200,000 offers",
         "series.ror.points[size=200000].p99_ms", "<=", 60.0, unit="ms", facts="series.ror.points[size=200000].facts"),
    Goal("mss-maildev", "MSSanté : messages/s ≥ 1,0 × MailDev (XDM 50 Ko, STARTTLS + XOAUTH2 + contrôle XDM)",
         "MSS messages/s >= 1.0x MailDev (50 KB XDM, STARTTLS + XOAUTH2 + XDM checks)",
         "suites.mss.operator.accepted_per_s", ">=", 1.0, "suites.mss.maildev.accepted_per_s", "MailDev", "/s",
         "suites.mss.operator.facts"),
    Goal("journal-overhead", "Journal : débit ≥ 0,85 × serveur nu", "Journal overhead: >= 0.85x the bare server",
         "suites.journal.request.journaled.per_second", ">=", 0.85, "suites.journal.request.bare.per_second",
         "serveur nu", "/s", "suites.journal.request.facts"),
    Goal("serve-warm", "`serve` prêt en < 1 s (démarrage à chaud)", "`serve` ready in < 1 s warm",
         "suites.serve.warm_ready_s", "<", 1.0, unit="s", facts="suites.serve.facts"),
    Goal("dmp-locust-p99", "DMP sous locust : p99 < 2 s à 200 utilisateurs", "DMP under locust: p99 < 2 s at 200 users",
         "suites.locust.p99_ms", "<", 2000.0, unit="ms", facts="suites.locust.facts",
         requires={"suites.locust.users": 200}),
    Goal("dmp-locust-errors", "DMP sous locust : 0 erreur à 200 utilisateurs", "DMP under locust: 0 errors at 200 users",
         "suites.locust.errors", "<=", 0.0, facts="suites.locust.facts", requires={"suites.locust.users": 200}),
    Goal("rss-per-size", "Mémoire (RSS) rapportée pour chaque taille de données", "RSS reported for each data size",
         "derived.rss_points_missing", "<=", 0.0, unit="points sans RSS"),
]

_SEGMENT = re.compile(r"^([^\[\]]+)(?:\[([^=\]]+)=([^\]]*)\])?$")
_REASON_KEYS = ("unavailable", "skipped", "error")


def resolve(results: Any, path: str) -> tuple[Any, str]:
    """(value, "") or (None, why it is missing, in French: the nearest reason a node on the way
    gives — `unavailable`, `skipped`, `error` — else the first segment not found)."""
    node = results
    walked: list[str] = []
    trail: list[tuple[str, Any]] = [("résultats", results)]
    for segment in path.split("."):
        match = _SEGMENT.match(segment)
        if match is None:
            return None, f"chemin invalide : {path}"
        name, key, wanted = match.groups()
        if not isinstance(node, dict) or name not in node:
            return None, _reason(trail) or f"absent des résultats : {'.'.join([*walked, name])}"
        node = node[name]
        walked.append(name)
        if key is not None:
            items = [i for i in node if isinstance(i, dict) and str(i.get(key)) == wanted] if isinstance(node, list) else []
            if not items:
                return None, _reason(trail) or f"pas de mesure {key}={wanted} dans {'.'.join(walked)}"
            node = items[0]
            walked[-1] = segment
        trail.append((".".join(walked), node))
    if isinstance(node, dict) and _reason(trail[-1:]):
        return None, _reason(trail[-1:])
    return node, ""


def _reason(trail: list[tuple[str, Any]]) -> str:
    for where, node in reversed(trail):
        if isinstance(node, dict):
            for reason_key in _REASON_KEYS:
                if isinstance(node.get(reason_key), str) and node[reason_key]:
                    return f"{where} : {node[reason_key]}"
    return ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return float(value)


def derive(results: dict[str, Any]) -> dict[str, Any]:
    """Figures computed from the whole run (results["derived"]): points of the size series without RSS."""
    points = [p for s in (results.get("series") or {}).values() if isinstance(s, dict)
              for p in s.get("points", []) if isinstance(p, dict) and not p.get("missing")]
    derived: dict[str, Any] = {"rss_points": len(points)}
    if points:
        derived["rss_points_missing"] = sum(1 for p in points if _number(p.get("rss_mb")) is None)
    else:
        derived["skipped"] = "aucune série de taille mesurée dans ce passage"
    return derived


def evaluate(results: dict[str, Any], goals: Iterable[Goal] = GOALS) -> list[dict[str, Any]]:
    """One row per goal: id, labels, measured, peer, ratio, target, status, note."""
    results = {**results, "derived": derive(results)}
    rows = []
    for goal in goals:
        row: dict[str, Any] = {"id": goal.id, "label": goal.label_fr, "label_en": goal.label_en,
                               "comparator": goal.comparator, "target": goal.target, "unit": goal.unit,
                               "peer_name": goal.peer_name, "measured": None, "peer": None, "ratio": None,
                               "status": NOT_MEASURED, "note": ""}
        rows.append(row)
        reason = _requirements(results, goal)
        measured, why = resolve(results, goal.metric) if not reason else (None, reason)
        row["measured"] = _number(measured)
        if row["measured"] is None:
            row["note"] = why or f"valeur non numérique : {measured!r}"
            continue
        value = row["measured"]
        if goal.peer:
            peer, why = resolve(results, goal.peer)
            row["peer"] = _number(peer)
            if not row["peer"]:
                row["note"] = why or f"{goal.peer_name} : valeur nulle ou non numérique"
                continue
            value = row["measured"] / row["peer"]
            row["ratio"] = value
        elif goal.target:
            row["ratio"] = row["measured"] / goal.target
        ok = COMPARATORS[goal.comparator](value, goal.target)
        row["status"] = MET if ok else MISS
        if goal.facts:
            facts, _ = resolve(results, goal.facts)
            reduced = departures(facts if isinstance(facts, dict) else None)
            if reduced:
                row["reduced"] = reduced
                row["note"] = "hors mode production : " + "; ".join(reduced)
                if ok:
                    row["status"] = MET_REDUCED
    return rows


def _requirements(results: dict[str, Any], goal: Goal) -> str:
    for path, wanted in goal.requires.items():
        value, why = resolve(results, path)
        if why:
            return why
        if value != wanted:
            return f"mesuré avec {path.rsplit('.', 1)[-1]} = {value}, l'objectif demande {wanted}"
    return ""


def collect(modules: Iterable[Any]) -> list[Goal]:
    """GOALS plus the `GOALS` of extra suite modules (e.g. loadtests/bench_replicas.py)."""
    goals = list(GOALS)
    known = {g.id for g in goals}
    for module in modules:
        for goal in getattr(module, "GOALS", ()) or ():
            if isinstance(goal, Goal) and goal.id not in known:
                goals.append(goal)
                known.add(goal.id)
    return goals


def fmt(value: float | None, digits: int = 3) -> str:
    """A figure for the table; ratios are truncated, not rounded (0.9996 shows 0.999, not 1.000)."""
    if value is None:
        return "-"
    scale = 10 ** digits
    return f"{math.floor(value * scale) / scale:.{digits}f}" if abs(value) < 10 else f"{value:,.1f}".replace(",", " ")


def table_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The goals table as text: goal | measured | peer | ratio | target | verdict."""
    header = ("objectif", "mesuré", "pair", "ratio", "cible", "verdict")
    body = []
    for r in rows:
        peer = f"{r['peer_name']} {fmt(r['peer'], 1)}" if r["peer_name"] else "-"
        target = f"{r['comparator']} {fmt(r['target'], 2)}{'×' if r['peer_name'] else ' ' + r['unit']}".rstrip()
        body.append((r["label"], f"{fmt(r['measured'], 1)} {r['unit']}".rstrip() if r["measured"] is not None else "-",
                     peer, fmt(r["ratio"]), target, r["status"]))
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [" | ".join(c.ljust(widths[i]) for i, c in enumerate(header)), "-+-".join("-" * w for w in widths)]
    for row, r in zip(body, rows, strict=True):
        lines.append(" | ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())
        if r["note"]:
            lines.append(f"    ↳ {r['note']}")
    return lines


def exit_code(rows: list[dict[str, Any]], strict: bool) -> int:
    """0 unless `strict` and a goal is not MET (MISS, MET* or NOT MEASURED)."""
    return 1 if strict and any(r["status"] != MET for r in rows) else 0
