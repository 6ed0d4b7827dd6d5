"""A live checker that also keeps what it judged, for the parse-once tests of each service."""

from __future__ import annotations

from collections.abc import Callable

from conformance.live import default_live_checker
from simulators.core.exchange import Exchange, Verdict

Judged = list[tuple[Exchange, list[tuple]]]


def verdict_rows(verdicts: list[Verdict]) -> list[tuple]:
    return [(v.check, v.outcome, tuple(v.requirements), v.message) for v in verdicts]


def recording_checker() -> tuple[Callable[[Exchange], list[Verdict]], Callable[[Exchange], list[Verdict]], Judged]:
    """(the shipped checker, the same checker recording each exchange with its verdicts, the records)."""
    base = default_live_checker()
    judged: Judged = []

    def checker(exchange: Exchange) -> list[Verdict]:
        verdicts = base(exchange)
        judged.append((exchange, verdict_rows(verdicts)))
        return verdicts

    return base, checker, judged
