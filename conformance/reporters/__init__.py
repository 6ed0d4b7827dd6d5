"""Reporters: one module per format behind one interface (``render(report) -> str``)."""

from __future__ import annotations

from typing import Protocol

from conformance.report import Report
from conformance.reporters.console import ConsoleReporter
from conformance.reporters.html import HtmlReporter
from conformance.reporters.json import JsonReporter
from conformance.reporters.junit import JUnitReporter


class Reporter(Protocol):
    name: str
    filename: str  # default file name inside an evidence bundle

    def render(self, report: Report) -> str: ...


def all_reporters() -> dict[str, Reporter]:
    reporters: list[Reporter] = [ConsoleReporter(), JUnitReporter(), HtmlReporter(), JsonReporter()]
    return {r.name: r for r in reporters}
