"""One self-contained French HTML page: what a vendor shows an auditor after a conformance run.

No script, no external asset: the page must open from a zip on an air-gapped laptop. Every value
that came from the DUI or the bench is escaped (`html.escape` or `bodies.highlight`), because
exchanges are attacker-controlled text.
"""

from __future__ import annotations

from datetime import datetime, UTC
from html import escape

from simulators.core.exchange import Exchange
from simulators.core.refusal import refusal_of

from conformance.checks import CheckResult
from conformance.outcomes import STATUS_LABELS_FR, Outcome, display_status
from conformance.report import STATUS_ORDER, Report, RequirementVerdict, service_label
from conformance.requirements import Requirement
from conformance.reporters.bodies import format_headers, highlight, pretty_body

MAX_EXCHANGES = 300
REFUSAL_ORIGINS = {"dui": "imputable au logiciel testé", "injected": "défaut injecté par le banc, non imputable au logiciel",
                   "bench": "défaut du banc, non imputable au logiciel"}  # beyond, the page stops being readable; the bundle keeps them all

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;
padding:1.5rem;color:#1d1d1f;background:#fafafa}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #ddd;padding-bottom:.3rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #ddd;padding:.35rem .5rem;
text-align:left;vertical-align:top}th{background:#f0f0f0}
.st{font-weight:600;border-radius:.25rem;padding:.1rem .4rem;white-space:nowrap}
.st-pass{background:#d8f3dc;color:#1b4332}.st-fail{background:#ffd6d6;color:#8b0000}
.st-warning{background:#fff3bf;color:#7a5c00}.st-skip{background:#e7e7e7;color:#444}
.st-error{background:#8b0000;color:#fff}.st-omit{background:#fff;color:#777;border:1px dashed #aaa}
.verdict{font-size:1.2rem;padding:.6rem 1rem;border-radius:.4rem;display:inline-block}
.ok{background:#d8f3dc}.nok{background:#ffd6d6}
ul.results{margin:.3rem 0 0 1rem;padding:0}ul.results li{margin:.15rem 0}
details{background:#fff;border:1px solid #ddd;border-radius:.3rem;margin:.5rem 0;padding:.4rem .7rem}
details.bad{border-left:5px solid #c00}summary{cursor:pointer;font-family:monospace}
pre{background:#f6f8fa;border:1px solid #e1e4e8;padding:.6rem;overflow-x:auto;white-space:pre-wrap;
word-break:break-all;font-size:.85rem}mark.ko{background:#ffb3b3;outline:1px solid #c00}
.muted{color:#666;font-size:.9rem}code{font-size:.9rem}
.officiel{font-size:.85rem;margin-top:.2rem}.officiel ul{margin:0 0 0 1rem;padding:0}
.conf{border-radius:.2rem;padding:0 .3rem}.conf-officiel{background:#d0e6ff}.conf-probable{background:#eee;color:#555}
"""


def _utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%d/%m/%Y %H:%M:%S UTC")


def _status(status: str) -> str:
    return f'<span class="st st-{status}">{escape(STATUS_LABELS_FR[status])}</span>'


class HtmlReporter:
    name = "html"
    filename = "rapport.html"

    def render(self, report: Report) -> str:
        title = f"Rapport de conformité socle-bench — session {report.session}"
        parts = [
            "<!DOCTYPE html>",
            '<html lang="fr"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
            f"<h1>{escape(title)}</h1>",
            _summary(report),
            '<h2 id="exigences">Exigences</h2>',
        ]
        for service, verdicts in report.verdicts_by_service().items():
            parts.append(f"<h3>Service : {escape(service_label(service))}</h3>")
            parts.append(_requirements_table(verdicts))
        parts.append(f'<h2 id="echanges">Échanges ({len(report.exchanges)})</h2>')
        parts.append(_exchanges(report))
        parts.append("</body></html>")
        return "\n".join(parts) + "\n"


def _summary(report: Report) -> str:
    verdict = f'<p class="verdict {"nok" if report.blocking else "ok"}">{escape(report.headline())}</p>'
    not_evaluated = report.not_evaluated()
    if not_evaluated:
        items = "".join(f'<li><a href="#req-{escape(v.requirement.id)}"><code>{escape(v.requirement.id)}</code></a> : '
                        f"{escape(v.not_evaluated_reason)}</li>" for v in not_evaluated)
        verdict += (f'<details id="non-evaluees"><summary>{len(not_evaluated)} exigence(s) non évaluée(s) '
                    f"(aucun verdict : ni conforme ni non conforme)</summary><ul>{items}</ul></details>")
    counts = report.counts()
    rows = "".join(f"<tr><td>{_status(s)}</td><td>{counts[s]}</td></tr>" for s in STATUS_ORDER)
    since = _utc(report.since) if report.since is not None else "début de la session"
    facts = [
        ("Session", report.session), ("Services", ", ".join(report.services) or "—"),
        ("Source des échanges", report.source), ("Échanges depuis", since),
        ("Date du rapport", _utc(report.generated_at)), ("Version du banc", report.bench_version),
        ("Version du catalogue d'exigences", report.catalogue_version),
    ]
    facts_html = "".join(f"<tr><th>{escape(k)}</th><td><code>{escape(v)}</code></td></tr>" for k, v in facts)
    return (f'<section id="synthese"><h2>Synthèse</h2>{verdict}<table>{facts_html}</table>'
            f'<h3>Exigences par statut</h3><table><tr><th>Statut</th><th>Nombre</th></tr>{rows}</table>'
            '<p class="muted">Un échec sur une RECOMMANDATION est un avertissement : il ne rend pas le logiciel '
            "non conforme. Une erreur signale un défaut du banc, pas du logiciel testé.</p></section>")


def _requirements_table(verdicts: list[RequirementVerdict]) -> str:
    rows = []
    for verdict in verdicts:
        req = verdict.requirement
        rows.append(
            f'<tr id="req-{escape(req.id)}"><td><code>{escape(req.id)}</code></td><td>{escape(req.level)}</td>'
            f"<td>{escape(req.text)}<br><span class=\"muted\">Source : {escape(req.source)}</span>{_official(req)}"
            f"{_results(verdict)}</td><td>{_status(verdict.status)}</td></tr>"
        )
    return ("<table><tr><th>Exigence</th><th>Niveau</th><th>Texte et résultats</th><th>Statut</th></tr>"
            + "".join(rows) + "</table>")


def _official(requirement: Requirement) -> str:
    if not requirement.official_ids:
        return ""
    items = "".join(f'<li><code>{escape(o.id)}</code> <span class="conf conf-{escape(o.confidence)}">'
                    f"{escape(o.confidence_label)}</span></li>" for o in requirement.official_ids)
    return f'<div class="officiel">Exigences officielles préparées :<ul>{items}</ul></div>'


def _results(verdict: RequirementVerdict) -> str:
    if not verdict.results:
        if verdict.requirement.untested:
            return f'<p class="muted">Non testée : {escape(verdict.requirement.untested)}</p>'
        if not verdict.checks:
            return '<p class="muted">Aucune vérification n\'existe encore pour cette exigence.</p>'
        return '<p class="muted">Non évaluée : aucun échange de la session ne la concernait.</p>'
    items = []
    for result in verdict.results:
        status = display_status(result.outcome, verdict.requirement.level)
        links = " ".join(f'<a href="#ex-{escape(i)}"><code>{escape(i)}</code></a>' for i in result.exchange_ids)
        items.append(f"<li>{_status(status)} <code>{escape(result.check)}</code> : {escape(result.message)} {links}</li>")
    return '<ul class="results">' + "".join(items) + "</ul>"


def _exchanges(report: Report) -> str:
    """Every judged-bad exchange first in priority, then the others, up to a page-friendly cap."""
    by_exchange: dict[str, list[CheckResult]] = {}
    for result in report.results:
        for exchange_id in result.exchange_ids:
            by_exchange.setdefault(exchange_id, []).append(result)
    failing = report.failing_exchange_ids()
    chosen = [e for e in report.exchanges if e.id in failing][:MAX_EXCHANGES]
    chosen += [e for e in report.exchanges if e.id not in failing][:MAX_EXCHANGES - len(chosen)]
    shown = {e.id for e in chosen}
    parts = [_exchange(e, by_exchange.get(e.id, [])) for e in report.exchanges if e.id in shown]
    if len(shown) < len(report.exchanges):
        parts.insert(0, f'<p class="muted">{len(shown)} échanges affichés sur {len(report.exchanges)} '
                        "(les échanges en échec d'abord) ; tous figurent dans le paquet de preuves.</p>")
    return "\n".join(parts) or "<p>Aucun échange.</p>"


def _exchange(exchange: Exchange, results: list[CheckResult]) -> str:
    bad = [r for r in results if r.outcome in (Outcome.FAIL, Outcome.ERROR)]
    evidence = [fragment for r in bad for fragment in r.evidence]
    head = (f"{_utc(exchange.started_at)} · {exchange.service} · {exchange.operation} · "
            f"{exchange.method} {exchange.path} → {exchange.status}")
    caller = exchange.caller
    verdicts = "".join(
        f"<li>{_status(display_status(r.outcome, r.level))} <code>{escape(r.check)}</code> "
        f"({escape(', '.join(r.requirements))}) : {escape(r.message)}</li>" for r in results
    )
    fault = f"<p>Panne injectée : <code>{escape(exchange.fault)}</code></p>" if exchange.fault else ""
    refusal = refusal_of(exchange.summary)
    if refusal is not None:
        who = REFUSAL_ORIGINS.get(str(refusal.get("origin", "dui")), "")
        fault += (f'<p>Refus du simulateur : <code>{escape(str(refusal.get("code", "")))}</code> — '
                  f'{escape(str(refusal.get("message", "")))} <span class="muted">({escape(who)})</span></p>')
    request = format_headers(exchange.request_headers) + "\n\n" + pretty_body(exchange.request_body, exchange.request_headers)
    response = (f"Statut : {exchange.status}\n" + format_headers(exchange.response_headers) + "\n\n"
                + pretty_body(exchange.response_body, exchange.response_headers))
    return (
        f'<details id="ex-{escape(exchange.id)}" class="{"bad" if bad else ""}"{" open" if bad else ""}>'
        f"<summary>{escape(head)}</summary>"
        f'<p class="muted">Identifiant <code>{escape(exchange.id)}</code> · appelant {escape(caller.kind)} '
        f"<code>{escape(caller.subject)}</code> · {exchange.duration_ms:.0f} ms</p>{fault}"
        f'<ul class="results">{verdicts}</ul>'
        f"<h4>Requête</h4><pre>{highlight(request, evidence)}</pre>"
        f"<h4>Réponse</h4><pre>{highlight(response, evidence)}</pre></details>"
    )
