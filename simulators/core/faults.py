"""Fault injection: rules per session, service and operation, decided with seeded randomness.

A rule adds latency (fixed or drawn from a distribution), or ends the request with the service's
generic error, a named protocol fault from the service's catalogue, a dropped connection, or a
timeout. Each session draws from its own RNG seeded from (bench seed, session, reset count), so the
same sequence of requests replays the same faults.
"""

from __future__ import annotations

import fnmatch
import math
import random
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import BenchError

KINDS = ("latency", "error", "fault", "drop", "timeout")
DISTRIBUTIONS = ("fixed", "uniform", "normal", "lognormal", "exponential")


class FaultRuleError(BenchError):
    """A fault rule is malformed; the message names the field."""


@dataclass
class FaultRule:
    kind: str
    session: str = "*"
    service: str = "*"
    operation: str = "*"
    probability: float = 1.0
    latency_ms: float = 0.0
    distribution: str = "fixed"
    spread_ms: float = 0.0  # uniform: +/- spread; normal/lognormal: standard deviation
    fault: str = ""
    timeout_s: float = 30.0
    duration_s: float | None = None  # the rule lapses this long after its creation
    max_hits: int | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    created_at: float = field(default_factory=time.time)
    hits: int = 0

    def validate(self, catalogues: dict[str, dict[str, str]] | None = None) -> "FaultRule":
        if self.kind not in KINDS:
            raise FaultRuleError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.distribution not in DISTRIBUTIONS:
            raise FaultRuleError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}")
        if not 0.0 <= float(self.probability) <= 1.0:
            raise FaultRuleError("probability must be between 0 and 1")
        if self.latency_ms < 0 or self.spread_ms < 0 or self.timeout_s < 0:
            raise FaultRuleError("latency_ms, spread_ms and timeout_s must be >= 0")
        if self.kind == "latency" and self.latency_ms <= 0 and self.spread_ms <= 0:
            raise FaultRuleError("a latency rule needs latency_ms > 0")
        if self.kind == "fault":
            if not self.fault:
                raise FaultRuleError("a fault rule needs the name of a fault from the service's catalogue")
            if catalogues is not None and self.service != "*":
                catalogue = catalogues.get(self.service)
                if catalogue is not None and self.fault not in catalogue:
                    known = ", ".join(sorted(catalogue)) or "(none)"
                    raise FaultRuleError(f"unknown fault {self.fault!r} for {self.service}; known: {known}")
        return self

    def matches(self, session: str, service: str, operation: str, now: float) -> bool:
        if self.duration_s is not None and now > self.created_at + self.duration_s:
            return False
        if self.max_hits is not None and self.hits >= self.max_hits:
            return False
        return (self.session in ("*", session) and self.service in ("*", service)
                and fnmatch.fnmatchcase(operation, self.operation))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "FaultRule":
        allowed = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - allowed
        if unknown:
            raise FaultRuleError(f"unknown fields: {', '.join(sorted(unknown))}")
        if "kind" not in data:
            raise FaultRuleError("kind is required")
        try:
            return cls(**data)
        except TypeError as exc:
            raise FaultRuleError(str(exc)) from exc


@dataclass
class FaultDecision:
    latency_s: float = 0.0
    action: str | None = None  # error | fault | drop | timeout
    fault: str = ""
    timeout_s: float = 0.0
    rules: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.action == "fault":
            return self.fault
        return self.action or ("latency" if self.latency_s else "")


NO_FAULT = FaultDecision()


class FaultEngine:
    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._rules: list[FaultRule] = []
        self._rngs: dict[str, random.Random] = {}
        self._generation: dict[str, int] = {}
        self._lock = threading.Lock()
        self.catalogues: dict[str, dict[str, str]] = {}
        self.stopping = threading.Event()

    def register_catalogue(self, service: str, catalogue: dict[str, str]) -> None:
        """Named protocol faults a service can render (name -> French description)."""
        self.catalogues[service] = dict(catalogue)

    def add(self, rule: FaultRule) -> FaultRule:
        rule.validate(self.catalogues)
        with self._lock:
            self._rules = [*self._rules, rule]
        return rule

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self, session: str | None = None) -> int:
        with self._lock:
            before = len(self._rules)
            self._rules = [] if session is None else [r for r in self._rules if r.session != session]
            return before - len(self._rules)

    def rules(self, session: str | None = None) -> list[FaultRule]:
        return [r for r in self._rules if session is None or r.session in ("*", session)]

    def reseed(self, session: str) -> None:
        """Restart the session's random sequence (on reset) so a replay draws the same faults."""
        with self._lock:
            self._rngs.pop(session, None)
            self._generation[session] = self._generation.get(session, 0) + 1

    def _rng(self, session: str) -> random.Random:
        rng = self._rngs.get(session)
        if rng is None:
            rng = random.Random(f"{self.seed}:{session}")
            self._rngs[session] = rng
        return rng

    def decide(self, session: str, service: str, operation: str) -> FaultDecision:
        rules = self._rules
        if not rules:
            return NO_FAULT
        now = time.time()
        decision = FaultDecision()
        with self._lock:
            rng = self._rng(session)
            for rule in rules:
                if not rule.matches(session, service, operation, now):
                    continue
                if rule.probability < 1.0 and rng.random() >= rule.probability:
                    continue
                if rule.kind == "latency":
                    decision.latency_s += self._draw_latency(rule, rng) / 1000.0
                    rule.hits += 1
                    decision.rules.append(rule.id)
                elif decision.action is None:
                    decision.action = rule.kind
                    decision.fault = rule.fault
                    decision.timeout_s = rule.timeout_s
                    rule.hits += 1
                    decision.rules.append(rule.id)
        return decision if decision.rules else NO_FAULT

    @staticmethod
    def _draw_latency(rule: FaultRule, rng: random.Random) -> float:
        mean, spread = rule.latency_ms, rule.spread_ms
        if rule.distribution == "uniform":
            value = rng.uniform(mean - spread, mean + spread)
        elif rule.distribution == "normal":
            value = rng.gauss(mean, spread)
        elif rule.distribution == "lognormal" and mean > 0:
            sigma = math.sqrt(math.log(1 + (spread / mean) ** 2)) if spread else 0.0
            value = rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)
        elif rule.distribution == "exponential" and mean > 0:
            value = rng.expovariate(1.0 / mean)
        else:
            value = mean
        return max(0.0, value)

    def sleep(self, seconds: float) -> bool:
        """Sleep that a bench stop interrupts; returns False when interrupted."""
        return not self.stopping.wait(seconds) if seconds > 0 else True
