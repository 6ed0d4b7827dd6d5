"""Fault injection: rules per session, service and operation, decided with seeded randomness.

A rule adds latency (fixed or drawn from a distribution), or ends the request with the service's
generic error, a named protocol fault from the service's catalogue, a dropped connection, or a
timeout. Each session draws from its own RNG seeded from (bench seed, session, reset count), so the
same sequence of requests replays the same faults.

In one process the rules live in memory only. When several worker processes serve one service
(gunicorn over a shared database), each engine is given a `SharedFaultStore`: rules are persisted in
the `fault_rules` table and every process reloads them when a generation counter moves, checked at
most once per `refresh_s`, so a rule set through any worker applies in all of them within a second
while the request path stays a clock comparison. Per-process state: the random draws and `hits`
(so `max_hits` counts per process).
"""

from __future__ import annotations

import fnmatch
import json
import logging
import math
import random
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Column, Float, Integer, String, Table, Text, delete, select, update
from sqlalchemy.exc import IntegrityError

from .errors import BenchError

log = logging.getLogger("socle_bench.faults")

KINDS = ("latency", "error", "fault", "drop", "timeout")
DISTRIBUTIONS = ("fixed", "uniform", "normal", "lognormal", "exponential")


class FaultRuleError(BenchError):
    """A fault rule is malformed; the message names the field."""


@dataclass
class FaultRule:
    kind: str
    session: str = "default"  # "*" (every session) must be explicit
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

    def validate(self, catalogues: dict[str, dict[str, str]] | None = None) -> FaultRule:
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
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        allowed = set(cls.__dataclass_fields__)
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
    def __init__(self, seed: int = 0, *, store: SharedFaultStore | None = None,
                 refresh_s: float = 1.0) -> None:
        self.seed = seed
        self.store = store
        self.refresh_s = refresh_s
        self._next_check = 0.0
        self._seen_generation: int | None = None
        self._refresh_lock = threading.Lock()
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
        if self.store is not None:
            self.store.put(rule)
            self.refresh(force=True)
            return next((r for r in self._rules if r.id == rule.id), rule)
        with self._lock:
            self._rules = [*self._rules, rule]
        return rule

    def remove(self, rule_id: str) -> bool:
        if self.store is not None:
            removed = self.store.delete(rule_id)
            self.refresh(force=True)
            return removed
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self, session: str | None = None) -> int:
        if self.store is not None:
            removed = self.store.clear(session)
            self.refresh(force=True)
            return removed
        with self._lock:
            before = len(self._rules)
            self._rules = [] if session is None else [r for r in self._rules if r.session != session]
            return before - len(self._rules)

    def rules(self, session: str | None = None) -> list[FaultRule]:
        if self.store is not None:
            self.refresh(force=True)
        return [r for r in self._rules if session is None or r.session in ("*", session)]

    def refresh(self, *, force: bool = False) -> None:
        """Reload the shared rules when their generation moved (no-op without a store).

        Only one thread polls at a time; the others keep deciding with the rules they have."""
        store = self.store
        if store is None:
            return
        if not self._refresh_lock.acquire(blocking=force):
            return
        try:
            self._next_check = time.monotonic() + self.refresh_s
            generation = store.generation()
            if not force and generation == self._seen_generation:
                return
            hits = {r.id: r.hits for r in self._rules}
            fresh = store.load()
            for rule in fresh:
                rule.hits = hits.get(rule.id, 0)
            with self._lock:
                self._rules = fresh
            self._seen_generation = generation
        except Exception:  # a database hiccup must not fail requests: keep the last known rules
            log.warning("cannot reload shared fault rules", exc_info=True)
        finally:
            self._refresh_lock.release()

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
        if self.store is not None and time.monotonic() >= self._next_check:
            self.refresh()
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


class SharedFaultStore:
    """Fault rules in the bench database, with a generation counter bumped by every change.

    The counter lets each process detect a change with one single-row read instead of reloading
    the rules on every request."""

    def __init__(self, db: Any) -> None:  # simulators.core.db.Database
        self.db = db
        md = db.metadata
        self.rules_table = md.tables["fault_rules"] if "fault_rules" in md.tables else Table(
            "fault_rules", md, Column("id", String(40), primary_key=True),
            Column("session", String(64), nullable=False), Column("created_at", Float, nullable=False),
            Column("data", Text, nullable=False))
        self.generation_table = md.tables["fault_rules_generation"] if "fault_rules_generation" in md.tables \
            else Table("fault_rules_generation", md, Column("id", Integer, primary_key=True),
                       Column("value", Integer, nullable=False))

    def create_tables(self) -> None:
        self.db.ensure_tables(self.rules_table)
        self.db.ensure_tables(self.generation_table)
        try:
            with self.db.engine.begin() as conn:
                if conn.execute(select(self.generation_table.c.id)).first() is None:
                    conn.execute(self.generation_table.insert().values(id=1, value=0))
        except IntegrityError:
            pass  # another process created it first

    def generation(self) -> int:
        with self.db.engine.connect() as conn:
            return int(conn.execute(select(self.generation_table.c.value)
                                    .where(self.generation_table.c.id == 1)).scalar_one_or_none() or 0)

    def load(self) -> list[FaultRule]:
        t = self.rules_table
        with self.db.engine.connect() as conn:
            rows = conn.execute(select(t.c.data).order_by(t.c.created_at, t.c.id)).all()
        return [FaultRule.from_json(json.loads(r.data)) for r in rows]

    def put(self, rule: FaultRule, *, replace: bool = True) -> None:
        """Insert, or replace by id. With `replace=False` an existing rule is kept: configuration
        rules carry fixed ids, and every worker puts them at start-up without restarting their clock."""
        t = self.rules_table
        data = {**rule.to_json(), "hits": 0}
        try:
            with self.db.engine.begin() as conn:
                if not replace and conn.execute(select(t.c.id).where(t.c.id == rule.id)).first() is not None:
                    return
                conn.execute(delete(t).where(t.c.id == rule.id))
                conn.execute(t.insert().values(id=rule.id, session=rule.session, created_at=rule.created_at,
                                               data=json.dumps(data, ensure_ascii=False)))
                self._bump(conn)
        except IntegrityError:
            log.debug("fault rule %s written concurrently by another process", rule.id)

    def delete(self, rule_id: str) -> bool:
        with self.db.engine.begin() as conn:
            removed = conn.execute(delete(self.rules_table).where(self.rules_table.c.id == rule_id)).rowcount
            self._bump(conn)
        return bool(removed)

    def clear(self, session: str | None = None) -> int:
        stmt = delete(self.rules_table)
        if session is not None:
            stmt = stmt.where(self.rules_table.c.session == session)
        with self.db.engine.begin() as conn:
            removed = conn.execute(stmt).rowcount
            self._bump(conn)
        return int(removed or 0)

    def _bump(self, conn: Any) -> None:
        g = self.generation_table
        conn.execute(update(g).where(g.c.id == 1).values(value=g.c.value + 1))
