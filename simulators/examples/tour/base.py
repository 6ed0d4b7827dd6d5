"""What every step of the tour shares: the step record, its context (URLs, PKI, world, session), the
few helpers all services use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from simulators.core.pki import Pki
from simulators.core.tls import requests_verify
from simulators.identities.world import build_world


SESSION_PREFIX = "ex-"


@dataclass(frozen=True)
class Step:
    label: str  # sample name (and session ex-<label>)
    service: str  # service the step is about (the bench service name)
    title: str  # what a vendor reads in the guide
    run: Callable[[Tour], Any]
    keep: str = ""  # glob of operations shown even when an earlier step showed them
    journaled: bool = True  # False: the step's samples are its client transcripts, not its exchanges


@dataclass
class Tour:
    admin: str
    pki_dir: str
    seed: int = 20261122
    services: dict[str, str] = field(default_factory=dict)
    session: str = ""
    transcripts: dict[str, str] = field(default_factory=dict)  # client-side transcripts a step writes
    _pki: Any = None
    _world: Any = None

    # --- context ------------------------------------------------------------------------------------------
    @property
    def pki(self) -> Any:
        if self._pki is None:
            self._pki = Pki.load(self.pki_dir)
        return self._pki

    @property
    def world(self) -> Any:
        if self._world is None:
            self._world = build_world(self.seed)
        return self._world

    @property
    def verify(self) -> str:
        return requests_verify(self.pki)

    def url(self, service: str, path: str = "") -> str:
        """``scheme://host:port/s/<session><path>`` of an HTTP service."""
        scheme, _, rest = self.services[service].partition("://")
        return f"{scheme}://{rest.partition('/')[0]}/s/{self.session}{path}"

    def origin(self, service: str) -> str:
        scheme, _, rest = self.services[service].partition("://")
        return f"{scheme}://{rest.partition('/')[0]}"


def elise(t: Tour) -> Any:
    return t.world.person("elise")


def ins_of(t: Tour, pid: str = "elise") -> tuple[str, str]:
    p = t.world.person(pid)
    return p.ins.value, p.ins.oid


def quietly(call: Callable[[], Any]) -> Any:
    """A refused call is what the sample shows: the client's exception is expected, not an error of the tour."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - DmpFault, RorClientError, SMTP errors...: the exchange is journaled
        return exc


def inject(t: Tour, service: str, fault: str, operation: str = "*") -> None:
    answer = requests.post(f"{t.admin}/_bench/faults", timeout=30, json={
        "kind": "fault", "service": service, "fault": fault, "operation": operation, "session": t.session,
        "max_hits": 1})
    answer.raise_for_status()
