"""No goal is met by doing less: every benchmark bench runs as `socle-bench serve` does.

`production_bench` builds the bench the way `serve` does (the shipped live conformance checker on
every exchange, the journal as configured: durable, bodies kept) and `runtime_facts` reads back what
the running bench really does, so the report prints facts, not intentions. `departures` lists what
differs from production mode; a goal measured on such a bench is marked so in the report.
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any
from conformance.live import default_live_checker
from simulators.core.bench import Bench
from simulators.core.config import parse_workers

# what `socle-bench serve` does with the default configuration
PRODUCTION: dict[str, Any] = {"live_checks": True, "journal_durable": True, "journal_keep_bodies": True,
                              "tls": True, "journal_keep_secrets": False}

FACT_LABELS = {
    "live_checks": "vérifications de conformité en direct sur chaque échange",
    "journal_durable": "journal durable (réponse après validation en base)",
    "journal_keep_bodies": "corps des requêtes et réponses conservés au journal",
    "tls": "TLS (certificats de l'IGC de test)",
    "journal_keep_secrets": "secrets conservés en clair au journal",
}


def live_checker() -> Any:
    """The live checker `serve` installs (conformance.live's single construction path)."""
    return default_live_checker()


def serving_workers() -> int:
    """The processes the benchmark serves HTTP simulators with: `serve --workers auto`, the setting
    docs/workers.md gives for load tests (one process per usable core). Each does every check, the
    journal and TLS: more processes is not less work, and the figure is reported with the count."""
    return parse_workers("auto")


def production_bench(config: Any, simulators: list[Any], *, pki: Any = None, workers: int = 1) -> Any:
    """A `Bench` built as `socle-bench serve` builds it (not started); `workers` as `serve --workers`."""
    return Bench(config, simulators, live_checker_factory=live_checker, pki=pki, workers=workers)


def runtime_facts(bench: Any) -> dict[str, Any]:
    """What the running bench does, read from its runtime (not from the intent of the caller)."""
    journal = bench.runtime.journal
    return {"live_checks": journal.live_checker is not None, "journal_durable": bool(journal.durable),
            "journal_keep_bodies": bool(journal.keep_bodies), "journal_keep_secrets": bool(journal.keep_secrets),
            "tls": bool(bench.config.tls and bench.pki is not None),
            "database": bench.config.database_url.split(":", 1)[0], "workers": int(getattr(bench, "workers", 1))}


def departures(facts: dict[str, Any] | None) -> list[str]:
    """Facts that differ from production mode, as French sentences; [] when the bench ran as `serve`."""
    if not facts:
        return ["configuration non rapportée par la mesure"]
    out = []
    for key, expected in PRODUCTION.items():
        if key not in facts:
            out.append(f"{FACT_LABELS[key]} : non rapporté")
        elif facts[key] != expected:
            out.append(f"{FACT_LABELS[key]} : {'oui' if facts[key] else 'non'} (en production : "
                       f"{'oui' if expected else 'non'})")
    return out


def rss_mb(pid: int | None = None) -> dict[str, float]:
    """Resident memory of a process (this one by default) from /proc: current (VmRSS) and peak
    (VmHWM), in MB; falls back to getrusage's peak for this process where /proc is missing."""
    try:
        with open(f"/proc/{pid or os.getpid()}/status", encoding="ascii") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        return {"rss_mb": round(int(fields["VmRSS"].split()[0]) / 1024, 1),
                "rss_peak_mb": round(int(fields["VmHWM"].split()[0]) / 1024, 1)}
    except (OSError, KeyError, ValueError):
        if pid not in (None, os.getpid()):
            return {}
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"rss_peak_mb": round(peak, 1)}


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of another process so far (/proc/<pid>/stat), for the worker processes."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serving_cpu_s(bench: Any) -> list[float]:
    """CPU seconds so far of every process serving the bench: this one (all threads), then each worker."""
    return [time.process_time(), *(process_cpu_s(pid) for pid in getattr(bench, "worker_pids", []))]


def serving_rss_mb(bench: Any) -> dict[str, Any]:
    """Resident memory of every process serving the bench (`serve --workers`): the master's figures
    plus each worker's, summed, and each process's own."""
    own = [rss_mb(), *(rss_mb(pid) for pid in getattr(bench, "worker_pids", []))]
    return {"rss_mb": round(sum(r.get("rss_mb", 0.0) for r in own), 1),
            "rss_peak_mb": round(sum(r.get("rss_peak_mb", 0.0) for r in own), 1),
            "rss_mb_by_process": [r.get("rss_mb") for r in own]}


def collect_facts(results: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every `facts` table reported in a run's results, with where it was found."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(results, dict):
        for key, value in results.items():
            where = f"{path}.{key}" if path else str(key)
            if key == "facts" and isinstance(value, dict):
                found.append((path, value))
            else:
                found.extend(collect_facts(value, where))
    elif isinstance(results, list):
        for i, value in enumerate(results):
            label = value.get("size", i) if isinstance(value, dict) else i
            found.extend(collect_facts(value, f"{path}[{label}]"))
    return found


def notes_lines(results: dict[str, Any]) -> list[str]:
    """The report's notes: the same checks, journal and TLS as production, stated from the facts."""
    facts = collect_facts(results)
    lines = ["Aucun objectif n'est atteint en en faisant moins : chaque mesure tourne sur un banc construit "
             "comme `socle-bench serve` le construit (mêmes vérifications, même journal, même TLS). "
             "Constaté sur les bancs de ce passage :"]
    if not facts:
        return [*lines, "  aucune configuration rapportée : rien ne permet de l'affirmer pour ce passage."]
    for key, expected in PRODUCTION.items():
        off = [where for where, f in facts if f.get(key) != expected]
        state = "oui" if expected else "non"
        if off:
            lines.append(f"  - {FACT_LABELS[key]} : {state} sur {len(facts) - len(off)} banc(s) ; "
                         f"AUTREMENT sur {len(off)} : {', '.join(off)}")
        else:
            lines.append(f"  - {FACT_LABELS[key]} : {state} sur les {len(facts)} bancs mesurés")
    databases = sorted({str(f.get("database", "?")) for _, f in facts})
    lines.append(f"  - base de données : {', '.join(databases)} (fichier SQLite en WAL, comme `serve` par défaut)"
                 if databases == ["sqlite"] else f"  - base de données : {', '.join(databases)}")
    counts = sorted({int(f.get("workers", 1)) for _, f in facts})
    lines.append(f"  - processus servant les simulateurs HTTP : {', '.join(map(str, counts))} "
                 "(`serve --workers auto` : un par cœur, chacun fait toutes les vérifications, le journal et TLS)")
    lines.append("  Un objectif mesuré sur un banc qui s'écarte de la production est marqué MET* (jamais MET), "
                 "avec l'écart.")
    return lines
