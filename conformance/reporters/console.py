"""Console summary: what a developer reads in a terminal or a CI log, grouped by service."""

from __future__ import annotations

import textwrap
from datetime import datetime, UTC

from conformance.outcomes import STATUS_LABELS_FR
from conformance.report import STATUS_ORDER, Report, RequirementVerdict, official_ids_text, service_label

MARKS = {"pass": "OK ", "fail": "KO ", "warning": "AV ", "skip": "-- ", "error": "ERR", "omit": "   "}
SHOWN_RESULTS = 5  # per requirement; the HTML/JSON reports have them all


def _utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class ConsoleReporter:
    name = "console"
    filename = "rapport.txt"

    def render(self, report: Report) -> str:
        lines = [
            "socle-bench — vérification de conformité",
            f"Session : {report.session}   Services : {', '.join(report.services) or '—'}",
            f"Source : {report.source}   Échanges : {len(report.exchanges)}   Date : {_utc(report.generated_at)}",
            f"Banc {report.bench_version}   Catalogue {report.catalogue_version[:19]}",
        ]
        for service, verdicts in report.verdicts_by_service().items():
            lines += ["", f"[{service_label(service)}]"]
            for verdict in verdicts:
                lines += self._verdict_lines(verdict)
        counts = report.counts()
        lines += ["", "Bilan : " + ", ".join(f"{counts[s]} {STATUS_LABELS_FR[s]}" for s in STATUS_ORDER)]
        not_evaluated = report.not_evaluated()
        if not_evaluated:
            ids = ", ".join(v.requirement.id for v in not_evaluated)
            lines.append(f"Non évaluées ({len(not_evaluated)}) : {_shorten(ids, 400)}")
        lines.append(f"Résultat : {report.headline()}")
        return "\n".join(lines) + "\n"

    def _verdict_lines(self, verdict: RequirementVerdict) -> list[str]:
        requirement = verdict.requirement
        head = f"  {MARKS[verdict.status]} {verdict.status_label:<13} {requirement.id:<11} {requirement.level:<14} "
        lines = [head + _shorten(requirement.text, 90)]
        if requirement.official_ids:
            lines.append(f"        exigences officielles : {official_ids_text(requirement)}")
        if not verdict.results and requirement.untested:
            lines.append(f"        non testée : {_shorten(requirement.untested, 100)}")
        elif not verdict.results and not verdict.checks:
            lines.append("        aucune vérification n'existe encore pour cette exigence")
        notable = [r for r in verdict.results if r.outcome.value != "pass"] or verdict.results[:1]
        for result in notable[:SHOWN_RESULTS]:
            exchanges = ", ".join(result.exchange_ids[:3]) + (" …" if len(result.exchange_ids) > 3 else "")
            suffix = f" (échange {exchanges})" if exchanges else ""
            lines.append(f"        {result.check} : {_shorten(result.message, 110)}{suffix}")
        if len(notable) > SHOWN_RESULTS:
            lines.append(f"        … et {len(notable) - SHOWN_RESULTS} autre(s) résultat(s)")
        return lines


def _shorten(text: str, width: int) -> str:
    return textwrap.shorten(text, width=width, placeholder=" …") if len(text) > width else text
