"""Cost against data size: the same measure at several data sizes, one series per service.

- DMP: 10,000 / 100,000 / 1,000,000 documents in the registry — ITI-18 p50/p99, queries/s, RSS of
  the serving process, seeding time (bulk SQL inserts, cached: loadtests/seedcache.py);
- ROR: 2,000 / 20,000 / 200,000 offers — searches p50/p99, searches/s, RSS, generation + index time;
- journal: 10,000 / 1,000,000 exchanges — journal pages, the dashboard's first API page and first
  paint, RSS, seeding time (loadtests/bench_journal_sizes.py).

`--quick` measures the smallest size of each series only. A size that could not be measured stays in
the series as a point marked `missing` with the reason: the report draws a gap there, it does not
join its neighbours.

    python -m loadtests.bench sizes [--quick]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from loadtests.bench_dmp import bench_dmp
from loadtests.bench_journal_sizes import measure
from loadtests.bench_ror import bench_ror
from loadtests.production import serving_workers

SIZES = {"dmp": (10_000, 100_000, 1_000_000), "ror": (2_000, 20_000, 200_000), "journal": (10_000, 1_000_000)}

# series -> French title, x label, [(metric key, French label, unit)]
SERIES: dict[str, dict[str, Any]] = {
    "dmp": {"title": "DMP : coût selon le nombre de documents", "x": "documents au registre",
            "metrics": [("iti18_p50_ms", "ITI-18 p50", "ms"), ("iti18_p99_ms", "ITI-18 p99", "ms"),
                        ("iti18_per_s", "ITI-18 requêtes/s", "/s"), ("rss_mb", "RSS du serveur", "Mo"),
                        ("seed_s", "chargement (insertions SQL)", "s")]},
    "ror": {"title": "ROR : coût selon le nombre d'offres", "x": "offres",
            "metrics": [("p50_ms", "recherche p50", "ms"), ("p99_ms", "recherche p99", "ms"),
                        ("searches_per_s", "recherches/s", "/s"), ("rss_mb", "RSS du serveur", "Mo"),
                        ("seed_s", "génération + index", "s")]},
    "journal": {"title": "Journal : coût selon le nombre d'échanges", "x": "échanges au journal",
                "metrics": [("journal_page_p99_ms", "page du journal (récente) p99", "ms"),
                            ("journal_middle_page_p99_ms", "page du journal (milieu) p99", "ms"),
                            ("dashboard_api_p99_ms", "1re page API du tableau de bord p99", "ms"),
                            ("rss_mb", "RSS du serveur", "Mo"), ("seed_s", "chargement (insertions SQL)", "s")]},
    "dashboard": {"title": "Tableau de bord : premier affichage selon le journal", "x": "échanges au journal",
                  "metrics": [("first_paint_ms", "premier affichage (appels d'API)", "ms"),
                              ("first_paint_max_ms", "premier affichage, pire des 5", "ms")]},
}


def dmp_point(size: int, quick: bool) -> dict[str, Any]:
    r = bench_dmp(documents=size, duration_s=2.0 if quick else 5.0, feed=False, workers=serving_workers())
    return {"size": size, "seed_s": r["bulk_seed_s"], "seed_cached": r["seed_cached"],
            **{k: r.get(k) for k in ("iti18_p50_ms", "iti18_p99_ms", "iti18_per_s", "iti18_errors", "rss_mb",
                                     "rss_peak_mb", "facts")}}


def ror_point(size: int, quick: bool) -> dict[str, Any]:
    r = bench_ror(volume=size, duration_s=2.0 if quick else 5.0, workers=serving_workers())
    return {"size": size, "seed_s": r["first_search_s"], "seed_cached": False,
            **{k: r.get(k) for k in ("p50_ms", "p99_ms", "searches_per_s", "errors", "rss_mb", "rss_peak_mb",
                                     "facts")}}


def journal_point(size: int, quick: bool) -> dict[str, Any]:
    return measure(size, repeat=10 if quick else 30)


MEASURES: dict[str, Callable[[int, bool], dict[str, Any]]] = {"dmp": dmp_point, "ror": ror_point,
                                                              "journal": journal_point}


def _point(series: str, size: int, quick: bool) -> dict[str, Any]:
    try:
        return MEASURES[series](size, quick)
    except Exception as exc:  # noqa: BLE001 - one size failing must not stop the others
        return {"size": size, "missing": True, "error": f"{type(exc).__name__}: {exc}"[:300]}


def run(quick: bool = False, sizes: dict[str, tuple[int, ...]] | None = None) -> dict[str, Any]:
    """{"series": {name: {title, x, metrics, points}}}; `--quick`: the smallest size of each."""
    plan = sizes or {name: (s[0],) if quick else s for name, s in SIZES.items()}
    out: dict[str, Any] = {}
    for name, wanted in plan.items():
        points = [_point(name, size, quick) for size in wanted]
        skipped = [s for s in SIZES.get(name, ()) if s not in wanted]
        points += [{"size": s, "missing": True, "skipped": "taille non mesurée en mode --quick"} for s in skipped]
        out[name] = {**describe(name), "points": sorted(points, key=lambda p: p["size"])}
    if "journal" in out:
        out["dashboard"] = {**describe("dashboard"), "points": [
            {k: v for k, v in p.items() if k in ("size", "missing", "error", "skipped", "first_paint_ms",
                                                 "first_paint_max_ms", "first_paint_method", "rss_mb", "facts")}
            for p in out["journal"]["points"]]}
    return {"series": out}


def describe(name: str) -> dict[str, Any]:
    spec = SERIES[name]
    return {"title": spec["title"], "x": spec["x"],
            "metrics": [{"key": k, "label": label, "unit": unit} for k, label, unit in spec["metrics"]]}


def merge_suite_points(series: dict[str, Any], suites: dict[str, Any]) -> None:
    """Add the main suites' own measure (DMP at its registry size, ROR at its volume) to the series
    when that size is not already measured there: same workload, same run."""
    found = {"dmp": (suites.get("dmp"), "registry_documents", dmp_keys), "ror": (suites.get("ror"), "volume", ror_keys)}
    for name, (result, size_key, keys) in found.items():
        if not isinstance(result, dict) or not isinstance(result.get(size_key), int):
            continue
        entry = series.setdefault(name, {**describe(name), "points": []})
        size = result[size_key]
        current = [p for p in entry["points"] if p.get("size") == size]
        if current and not current[0].get("missing"):
            continue
        entry["points"] = [p for p in entry["points"] if p.get("size") != size]
        entry["points"].append({"size": size, "source": "suite", **keys(result)})
        entry["points"].sort(key=lambda p: p["size"])


def dmp_keys(r: dict[str, Any]) -> dict[str, Any]:
    return {"seed_s": r.get("bulk_seed_s"), **{k: r.get(k) for k in (
        "iti18_p50_ms", "iti18_p99_ms", "iti18_per_s", "rss_mb", "rss_peak_mb", "facts")}}


def ror_keys(r: dict[str, Any]) -> dict[str, Any]:
    return {"seed_s": r.get("first_search_s"), **{k: r.get(k) for k in (
        "p50_ms", "p99_ms", "searches_per_s", "rss_mb", "rss_peak_mb", "facts")}}


def table(result: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    for name, series in result.get("series", {}).items():
        for p in series["points"]:
            label = f"{name} {p['size']:,}".replace(",", " ")
            if p.get("missing"):
                rows.append((label, f"non mesuré : {p.get('error') or p.get('skipped')}"))
                continue
            figures = ", ".join(f"{m['label']} {p.get(m['key'], '-')} {m['unit']}" for m in series["metrics"])
            rows.append((label, figures))
    return rows
