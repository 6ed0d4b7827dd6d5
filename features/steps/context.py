"""The state a scenario carries between its steps, and how a step calls the DUI.

A scenario starts by taking a cursor on the bench journal: everything it verifies afterwards is what
the simulators received *after* that point, so scenarios are independent (they may run in any order,
on any xdist worker) while sharing one bench session. What a DUI must remember across scenarios
(a qualified identity) lives in the session-wide ``JourneyMemory``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

from simulators.core.exchange import Exchange

from conformance.drivers.base import (
    ActionNotSupported, BenchTarget, DmpEntry, DriverError, DuiDriver, IdentityResult, OutgoingMessage,
    ReceivedMessage, RecordResult, RorCandidate, SendResult,
)
from conformance.drivers.probe import BenchProbe
from features.steps.cast import Cast
from conformance.drivers.reference import ReferenceDui
from features.steps.cast import fold

T = TypeVar("T")

SERVICES = {  # French label in the features -> (exchange services, endpoint the bench must publish)
    "insi": (("ins",), "ins"), "mssante": (("mss",), "smtp"), "mss": (("mss",), "smtp"),
    "annuaire sante": (("annuaire",), "annuaire"), "annuaire": (("annuaire",), "annuaire"),
    "dmp": (("dmp",), "dmp"), "ror": (("ror",), "ror"),
}
LABELS = {"ins": "INSi", "smtp": "MSSanté", "annuaire": "Annuaire santé", "dmp": "DMP", "ror": "ROR"}


@dataclass
class JourneyMemory:
    """What the DUI knows across scenarios of the run (per bench session)."""

    identities: dict[str, IdentityResult] = field(default_factory=dict)
    seeded: set[str] = field(default_factory=set)  # preconditions already put on the bench
    consents: set[tuple[str, str, str]] = field(default_factory=set)  # (session, person id, what)


@dataclass
class Sent:
    actor: str
    message: OutgoingMessage
    result: SendResult


@dataclass
class Parcours:
    target: BenchTarget
    dui: DuiDriver
    probe: BenchProbe
    memory: JourneyMemory
    cast: Cast
    cursor: str = ""
    sent: list[Sent] = field(default_factory=list)
    found_address: str = ""
    consulted: dict[str, list[DmpEntry]] = field(default_factory=dict)  # actor id -> entries
    records: list[tuple[str, RecordResult]] = field(default_factory=list)  # (document kind, result)
    refusals: list[str] = field(default_factory=list)
    candidates: list[RorCandidate] = field(default_factory=list)
    received: list[ReceivedMessage] = field(default_factory=list)
    replies: list[tuple[str, ReceivedMessage, SendResult]] = field(default_factory=list)  # (document, original, sent)
    forwards: list[tuple[ReceivedMessage, SendResult, tuple[Any, ...]]] = field(default_factory=list)
    narration: list[str] = field(default_factory=list)  # steps told, outside the socle
    _other: DuiDriver | None = None

    @property
    def world(self) -> Any:
        return self.target.world

    def exchanges(self, *services: str) -> list[Exchange]:
        """What the simulators received since the scenario started (bodies included)."""
        found = self.probe.exchanges(after=self.cursor or None, bodies=True)
        return [e for e in found if not services or e.service in services]

    def require(self, endpoint: str) -> None:
        if endpoint and not self.target.has(endpoint):
            pytest.skip(f"service {LABELS.get(endpoint, endpoint)} pas encore disponible sur ce banc")

    def act(self, endpoint: str, action: Callable[..., T], *args: Any) -> T:
        """Run a DUI action: unsupported -> skip with the reason, driver failure -> readable failure."""
        self.require(endpoint)
        try:
            return action(*args)
        except ActionNotSupported as exc:
            pytest.skip(str(exc))
        except DriverError as exc:
            pytest.fail(f"le DUI n'a pas pu réaliser l'action : {exc}", pytrace=False)

    def other_software(self) -> DuiDriver:
        """The reference DUI used as *another* professional's software, to set preconditions."""
        if self._other is None:
            self._other = ReferenceDui()
            self._other.open(self.target)
        return self._other

    def close(self) -> None:
        if self._other is not None:
            self._other.close()


def service_of(label: str) -> tuple[tuple[str, ...], str]:
    key = fold(label)
    if key not in SERVICES:
        raise KeyError(f"service inconnu : « {label} » (connus : INSi, MSSanté, Annuaire santé, DMP, ROR)")
    return SERVICES[key]
