"""The HTML report and the end of `bench all` over a synthetic run (no load, no timing)."""

from __future__ import annotations

import json
import re
import types
from html.parser import HTMLParser

from loadtests import bench
from loadtests.goals import GOALS, evaluate
from loadtests.production import notes_lines
from loadtests.report_html import line_chart, render

from .bench_results import synthetic, with_series


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> Collect:
    parser = Collect()
    parser.feed(html)
    parser.close()
    return parser


def _report() -> tuple[str, dict]:
    results = with_series(synthetic())
    rows = evaluate(results)
    return render(results, rows, notes_lines(results)), results


def test_the_report_has_one_chart_per_series_and_the_goals_table():
    html, results = _report()
    parsed = _parse(html)
    figures = [a["data-series"] for t, a in parsed.tags if t == "figure" and a.get("data-series")]
    assert figures == list(results["series"])
    goal_rows = [a for t, a in parsed.tags if t == "tr" and a.get("data-goal")]
    assert [a["data-goal"] for a in goal_rows] == [g.id for g in GOALS]
    classes = {a["data-goal"]: a["class"] for a in goal_rows}
    assert classes["ins-wiremock"] == "met" and classes["dmp-iti41-wiremock"] == "miss"
    assert classes["ror-wiremock"] == "nm" and classes["mss-maildev"] == "reduced"
    assert "Objectifs" in parsed.text and "Notes" in parsed.text


def test_the_report_is_self_contained():
    html, _ = _report()
    parsed = _parse(html)
    assert not [t for t, _ in parsed.tags if t in ("script", "link", "img", "iframe")]
    assert not re.findall(r"(?:src|href)=\"https?://", html)
    assert sum(1 for t, _ in parsed.tags if t == "svg") > len(with_series(synthetic())["series"])


def test_a_missing_point_is_a_labelled_gap_not_a_bridge():
    points = [{"size": 1_000, "v": 1.0}, {"size": 10_000, "v": 2.0}, {"size": 100_000, "missing": True, "error": "délai"},
              {"size": 1_000_000, "v": 4.0}, {"size": 10_000_000, "v": 5.0}]
    svg = line_chart("t", "taille", points, "v", "ms")
    parsed = _parse(svg)
    lines = [a["points"] for t, a in parsed.tags if t == "polyline"]
    assert len(lines) == 2  # two segments, none across the missing size
    assert all(len(p.split()) == 2 for p in lines)
    assert "non mesuré" in parsed.text and "délai" in parsed.text
    joined = line_chart("t", "taille", [p for p in points if not p.get("missing")], "v", "ms")
    assert len([1 for t, _ in _parse(joined).tags if t == "polyline"]) == 1  # without the gap: one line


def test_a_point_without_the_metric_is_a_gap_too():
    points = [{"size": 10, "v": 1.0}, {"size": 100}, {"size": 1000, "v": 3.0}]
    parsed = _parse(line_chart("t", "taille", points, "v", "ms"))
    assert not [t for t, _ in parsed.tags if t == "polyline"] and "non mesuré" in parsed.text


def test_bench_main_prints_goals_writes_json_and_html(tmp_path, monkeypatch, capsys):
    from tests.loadtests import fake_suite

    monkeypatch.setitem(bench.EXTRA_SUITES, "fake", "tests.loadtests.fake_suite")
    monkeypatch.setitem(bench.SUITES, "sizes", "tests.loadtests.fake_sizes")
    monkeypatch.setitem(__import__("sys").modules, "tests.loadtests.fake_sizes",
                        types.SimpleNamespace(run=fake_suite.sizes_run, table=lambda r: [("séries", "3")]))
    out = tmp_path / "r.json"
    assert bench.main(["fake", "sizes", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "objectifs" in printed and "NOT MEASURED" in printed and "Aucun objectif n'est atteint" in printed
    results = json.loads(out.read_text(encoding="utf-8"))
    assert {r["id"] for r in results["goals"]} == {g.id for g in GOALS}
    assert results["series"]["dmp"]["points"][1]["iti18_p99_ms"] == 19.99
    assert (tmp_path / "bench-report.html").exists()
    assert bench.main(["fake", "--json", str(out), "--html", str(tmp_path / "x.html"), "--strict"]) == 1
    assert (tmp_path / "x.html").exists()


def test_a_failing_suite_leaves_its_goals_not_measured(tmp_path, monkeypatch):
    def boom(quick=False):
        raise RuntimeError("pas de disque")

    monkeypatch.setitem(__import__("sys").modules, "tests.loadtests.fake_broken",
                        types.SimpleNamespace(run=boom, table=lambda r: []))
    monkeypatch.setitem(bench.EXTRA_SUITES, "broken", "tests.loadtests.fake_broken")
    out = tmp_path / "r.json"
    assert bench.main(["broken", "--json", str(out)]) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    assert "pas de disque" in results["suites"]["broken"]["error"]
