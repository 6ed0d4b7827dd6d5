"""The goals table over a synthetic run: MET, MISS, MET* and NOT MEASURED, including the failing sides."""

from __future__ import annotations

import types

from loadtests import goals
from loadtests.goals import GOALS, MET, MET_REDUCED, MISS, NOT_MEASURED, Goal, collect, evaluate, exit_code, fmt, resolve
from loadtests.production import departures, notes_lines

from .bench_results import PRODUCTION_FACTS, synthetic, with_series


def _by_id(rows):
    return {r["id"]: r for r in rows}


def test_every_goal_gets_its_verdict_from_the_synthetic_run():
    rows = _by_id(evaluate(with_series(synthetic())))
    assert set(rows) == {g.id for g in GOALS}
    assert rows["ins-wiremock"]["status"] == MET and rows["ins-wiremock"]["ratio"] == 1.2
    assert rows["dmp-iti18-100k"]["status"] == MET  # 19.99 <= 20
    assert rows["journal-overhead"]["status"] == MET  # exactly 0.85: the target is inclusive


def test_a_ratio_just_below_its_target_is_a_miss():
    rows = _by_id(evaluate(with_series(synthetic())))
    assert rows["dmp-iti41-wiremock"]["status"] == MISS
    assert abs(rows["dmp-iti41-wiremock"]["ratio"] - 0.499) < 1e-9
    assert rows["ror-p99-20k"]["status"] == MISS  # 30.01 > 30
    assert rows["serve-warm"]["status"] == MISS  # 1.0 is not < 1 s


def test_a_missing_measurement_is_never_met_and_says_why():
    rows = _by_id(evaluate(with_series(synthetic())))
    assert rows["ror-wiremock"]["status"] == NOT_MEASURED
    assert "Java absent" in rows["ror-wiremock"]["note"]  # the peer's own reason
    assert rows["dmp-iti18-1m"]["status"] == NOT_MEASURED and "disque plein" in rows["dmp-iti18-1m"]["note"]
    assert rows["ror-p99-200k"]["status"] == NOT_MEASURED and "--quick" in rows["ror-p99-200k"]["note"]
    locust = rows["dmp-locust-p99"]
    assert locust["status"] == NOT_MEASURED and "50" in locust["note"] and "200" in locust["note"]
    assert locust["measured"] is None  # a 900 ms p99 at 50 users is not the 200-user goal


def test_an_empty_run_measures_nothing():
    rows = evaluate({})
    assert rows and all(r["status"] == NOT_MEASURED and r["note"] for r in rows)
    assert exit_code(rows, strict=True) == 1
    assert exit_code(rows, strict=False) == 0


def test_a_goal_met_on_a_bench_doing_less_is_not_met():
    rows = _by_id(evaluate(with_series(synthetic())))
    mss = rows["mss-maildev"]
    assert mss["status"] == MET_REDUCED and "vérifications" in mss["note"]
    assert departures(PRODUCTION_FACTS) == []
    assert departures(None) and departures({**PRODUCTION_FACTS, "tls": False})


def test_rss_must_be_reported_for_every_measured_size():
    rows = _by_id(evaluate(with_series(synthetic())))
    assert rows["rss-per-size"]["status"] == MISS  # the ROR 20,000 point has no RSS
    results = with_series(synthetic())
    results["series"]["ror"]["points"][1]["rss_mb"] = 160.0
    assert _by_id(evaluate(results))["rss-per-size"]["status"] == MET


def test_strict_exit_code_follows_the_verdicts():
    rows = evaluate(with_series(synthetic()))
    assert exit_code(rows, strict=False) == 0
    assert exit_code(rows, strict=True) == 1
    assert exit_code([r for r in rows if r["status"] == MET], strict=True) == 0


def test_resolve_picks_list_items_and_reports_reasons():
    results = {"a": {"items": [{"size": 1, "v": 2.0}, {"size": 5, "v": 3.0}]}, "b": {"skipped": "pas de Java"}}
    assert resolve(results, "a.items[size=5].v") == (3.0, "")
    assert resolve(results, "a.items[size=9].v")[0] is None
    value, why = resolve(results, "b.per_second")
    assert value is None and "pas de Java" in why
    no_peers = {"peers": {"workloads": [], "skipped": "pairs non mesurés (--no-peers)"}}
    assert "--no-peers" in resolve(no_peers, "peers.workloads[label=x].peers.wiremock.per_second")[1]


def test_figures_are_truncated_not_rounded_up_to_the_target():
    assert fmt(0.9996) == "0.999"
    assert fmt(None) == "-"


def test_table_lines_print_every_goal_with_its_verdict():
    rows = evaluate(with_series(synthetic()))
    text = "\n".join(goals.table_lines(rows))
    for row in rows:
        assert row["label"] in text
    assert "NOT MEASURED" in text and "MISS" in text and "MET" in text


def test_extra_suites_add_their_goals():
    extra = Goal("replicas-x2", "Répliques", "Replicas", "suites.replicas.ratio", ">=", 1.8)
    module = types.SimpleNamespace(GOALS=[extra])
    assert collect([module])[-1] is extra
    row = _by_id(evaluate({"suites": {"replicas": {"ratio": 1.7}}}, collect([module])))["replicas-x2"]
    assert row["status"] == MISS


def test_notes_state_the_facts_and_the_departures():
    lines = notes_lines(with_series(synthetic()))
    assert any("AUTREMENT" in line and "mss" in line for line in lines)
    assert "rien ne permet" in "\n".join(notes_lines({}))
