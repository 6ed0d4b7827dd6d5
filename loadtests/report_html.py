"""The benchmark's HTML report: one self-contained page (inline SVG drawn here, no script, no CDN).

- the goals table (MET / MISS / NOT MEASURED coloured);
- per service, throughput and p99 of the bench next to its peers measured in the same run;
- per data-size series, one figure with one line chart per metric, x on a log scale; a size that
  was not measured is a gap in the line, labelled "non mesuré" with the reason, never bridged;
- the notes: the production-mode facts of the benches measured.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from .goals import MET, MET_REDUCED, MISS, fmt

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 460, 230, 60, 16, 26, 46
COLOURS = ("#1f5fa8", "#d9822b", "#3a9a5b", "#a23b72", "#6b6b6b")
STATUS_CLASS = {MET: "met", MISS: "miss", MET_REDUCED: "reduced"}
CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.met{background:#d8f0dc}.miss{background:#f8d3d0}
.nm{background:#eee;color:#555}.reduced{background:#fbeec2}figure{display:inline-block;margin:0 1em 1em 0;
vertical-align:top}figcaption{font-weight:600;margin-bottom:.3em}svg text{font-size:11px}.notes li{margin:.2em 0}
.series{display:block}"""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return float(value)


def goals_table(rows: list[dict[str, Any]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("Objectif", "Mesuré", "Pair", "Ratio", "Cible", "Verdict", "Remarque"))
    body = []
    for r in rows:
        css = STATUS_CLASS.get(r["status"], "nm")
        peer = f"{escape(r['peer_name'])} {fmt(r['peer'], 1)}" if r["peer_name"] else "-"
        target = f"{r['comparator']} {fmt(r['target'], 2)}{'×' if r['peer_name'] else ' ' + r['unit']}"
        measured = f"{fmt(r['measured'], 1)} {r['unit']}" if r["measured"] is not None else "-"
        body.append(f'<tr class="{css}" data-goal="{escape(r["id"])}"><td>{escape(r["label"])}</td>'
                    f'<td class="num">{escape(measured)}</td><td class="num">{peer}</td>'
                    f'<td class="num">{fmt(r["ratio"])}</td><td>{escape(target)}</td>'
                    f'<td><strong>{escape(r["status"])}</strong></td><td>{escape(r["note"])}</td></tr>')
    return f'<table id="objectifs"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def bar_chart(title: str, groups: list[tuple[str, list[tuple[str, float | None, str]]]], unit: str) -> str:
    """Horizontal grouped bars: groups of (label, [(series name, value or None, note)])."""
    bars = sum(len(items) for _, items in groups)
    height = PAD_T + bars * 18 + len(groups) * 14 + 10
    top = max([v for _, items in groups for _, v, _ in items if v is not None] or [1.0])
    parts, y = [], PAD_T
    for label, items in groups:
        parts.append(f'<text x="4" y="{y + 10}" font-weight="600">{escape(label)}</text>')
        y += 14
        for i, (name, value, note) in enumerate(items):
            colour = COLOURS[i % len(COLOURS)]
            parts.append(f'<text x="12" y="{y + 12}">{escape(name)}</text>')
            if value is None:
                parts.append(f'<text x="150" y="{y + 12}" fill="#a00">non mesuré{" : " + escape(note) if note else ""}</text>')
            else:
                width = max(1.0, (W + 140 - 160 - 90) * value / top)
                parts.append(f'<rect x="150" y="{y + 2}" width="{width:.1f}" height="13" fill="{colour}">'
                             f'<title>{escape(name)} : {value:g} {escape(unit)}</title></rect>'
                             f'<text x="{150 + width + 4:.1f}" y="{y + 12}">{fmt(value, 1)} {escape(unit)}</text>')
            y += 18
    return (f'<figure class="bars"><figcaption>{escape(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{W + 140}" height="{height}" role="img" aria-label="{escape(title)}">{"".join(parts)}</svg></figure>')


def line_chart(title: str, x_label: str, points: list[dict[str, Any]], key: str, unit: str) -> str:
    """One metric against data size, x on a log scale; a missing value splits the line (gap)."""
    sizes = [p["size"] for p in points if _number(p.get("size"))]
    values = [v for p in points if (v := _number(p.get(key))) is not None and not p.get("missing")]
    lo, hi = math.log10(min(sizes or [1])), math.log10(max(sizes or [10]))
    hi = hi if hi > lo else lo + 1
    top = max(values or [1.0]) * 1.15 or 1.0

    def xy(size: float, value: float) -> tuple[float, float]:
        x = PAD_L + (math.log10(size) - lo) / (hi - lo) * (W - PAD_L - PAD_R)
        return x, H - PAD_B - value / top * (H - PAD_T - PAD_B)

    parts = [f'<line x1="{PAD_L}" y1="{H - PAD_B}" x2="{W - PAD_R}" y2="{H - PAD_B}" stroke="#444"/>',
             f'<line x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{H - PAD_B}" stroke="#444"/>',
             f'<text x="{(W + PAD_L) / 2:.0f}" y="{H - 8}" text-anchor="middle">{escape(x_label)} (échelle log)</text>',
             f'<text x="4" y="{PAD_T - 10}">{escape(unit)}</text>']
    for frac in (0.0, 0.5, 1.0):
        y = H - PAD_B - frac * (H - PAD_T - PAD_B)
        parts.append(f'<text x="{PAD_L - 4}" y="{y + 4:.1f}" text-anchor="end">{fmt(top * frac, 1)}</text>')
    segments: list[list[tuple[float, float]]] = [[]]
    for p in sorted(points, key=lambda p: p["size"]):
        x = xy(p["size"], 0)[0]
        parts.append(f'<text x="{x:.1f}" y="{H - PAD_B + 14}" text-anchor="middle">{_size(p["size"])}</text>')
        value = None if p.get("missing") else _number(p.get(key))
        if value is None:
            why = p.get("error") or p.get("skipped") or "valeur absente"
            parts.append(f'<text class="gap" x="{x:.1f}" y="{H - PAD_B - 6}" text-anchor="middle" fill="#a00">'
                         f'non mesuré<title>{escape(str(why))}</title></text>')
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(xy(p["size"], value))
        cx, cy = segments[-1][-1]
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{COLOURS[0]}"><title>{_size(p["size"])} : '
                     f'{value:g} {escape(unit)}</title></circle><text x="{cx + 5:.1f}" y="{cy - 5:.1f}">'
                     f'{fmt(value, 1)}</text>')
    for segment in segments:
        if len(segment) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            parts.append(f'<polyline class="segment" points="{coords}" fill="none" stroke="{COLOURS[0]}" stroke-width="2"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img" '
            f'aria-label="{escape(title)}"><text x="{PAD_L}" y="14" font-weight="600">{escape(title)}</text>'
            f'{"".join(parts)}</svg>')


def _size(n: float) -> str:
    return f"{n / 1_000_000:g} M" if n >= 1_000_000 else f"{n / 1000:g} k" if n >= 1000 else f"{n:g}"


def series_figures(series: dict[str, Any]) -> str:
    out = []
    for name, s in series.items():
        charts = "".join(line_chart(m["label"], s["x"], s["points"], m["key"], m["unit"]) for m in s["metrics"])
        out.append(f'<figure class="series" data-series="{escape(name)}"><figcaption>{escape(s["title"])}'
                   f'</figcaption>{charts}</figure>')
    return "".join(out)


def peer_groups(results: dict[str, Any], field: str) -> list[tuple[str, list[tuple[str, float | None, str]]]]:
    """[(workload, [("socle-bench", value), (peer, value)…])] from the suites' peer columns."""
    groups = []
    for suite in results.get("suites", {}).values():
        if not isinstance(suite, dict):
            continue
        for w in (suite.get("peers") or {}).get("workloads", []):
            items = [("socle-bench", _number(w["bench"].get(field)), "")]
            for peer, figures in w["peers"].items():
                items.append((peer, _number(figures.get(field)), figures.get("unavailable", "")))
            groups.append((w["label"], items))
    mss = results.get("suites", {}).get("mss")
    if isinstance(mss, dict) and isinstance(mss.get("operator"), dict):
        key = "accepted_per_s" if field == "per_second" else "smtp_p99_ms"
        maildev = mss.get("maildev") or {}
        groups.append(("MSSanté, suite du service (XDM 50 Ko)",
                       [("socle-bench", _number(mss["operator"].get(key)), ""),
                        ("MailDev", _number(maildev.get(key)), maildev.get("skipped", ""))]))
    return groups


def render(results: dict[str, Any], goal_rows: list[dict[str, Any]], notes: list[str]) -> str:
    machine = results.get("machine", {})
    series = results.get("series") or {}
    throughput = peer_groups(results, "per_second")
    p99 = peer_groups(results, "p99_ms")
    peers_html = (bar_chart("Débit par service, à côté des pairs", throughput, "/s")
                  + bar_chart("p99 par service, à côté des pairs", p99, "ms")) if throughput else \
        "<p>Pas de colonnes de pairs dans ce passage (--no-peers ou suites non exécutées).</p>"
    notes_html = "".join(f"<li>{escape(line.strip(' -'))}</li>" for line in notes[1:])
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Banc de mesure socle-bench</title>'
            f'<style>{CSS}</style></head><body><h1>Banc de mesure socle-bench</h1>'
            f'<p>Machine : Python {escape(str(machine.get("python", "?")))}, {escape(str(machine.get("cpus", "?")))} '
            f'cœurs, {escape(str(machine.get("platform", "?")))}. Toutes les valeurs viennent du même passage.</p>'
            f'<h2>Objectifs</h2>{goals_table(goal_rows)}'
            f'<h2>Débit et latence face aux pairs</h2>{peers_html}'
            f'<h2>Coût selon la taille des données</h2>'
            f'{series_figures(series) or "<p>Aucune série de taille dans ce passage.</p>"}'
            f'<h2>Notes</h2><p>{escape(notes[0]) if notes else ""}</p><ul class="notes">{notes_html}</ul>'
            f'</body></html>')
