"""From matched ids to a searchset page: sort, snapshot for paging, `_include`/`_revinclude`,
`_elements`, and the `location-distance` extension on Location entries.

Paging is HAPI-style (`?_getpages=<id>&_getpagesoffset=<n>`) over a snapshot of the ordered ids
taken at the first request, so a client walking `next` links sees every result exactly once even
if the data changes meanwhile.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.ror.codec import IncludeSpec, SearchError, SearchRequest
from simulators.ror.index import SessionIndex
from simulators.ror.params import INCLUDES, PARAMS, normal_reference
from simulators.ror.search import definition

MAX_INCLUDED = 5000
MAX_ITERATIONS = 8
ACCEPTED_EMPTY_REVINCLUDES = {("Task", "focus")}
SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}


@dataclass
class Snapshot:
    session: str
    rtype: str
    ids: list[str]
    request: SearchRequest
    distances: dict[str, float]
    profile: int
    hidden: frozenset[str] = frozenset()
    created: float = field(default_factory=time.monotonic)


class SnapshotCache:
    """Bounded LRU of search results, per bench (ids are random, lookups check the session)."""

    def __init__(self, capacity: int = 256, ttl_s: float = 1800.0) -> None:
        self.capacity = capacity
        self.ttl_s = ttl_s
        self._items: OrderedDict[str, Snapshot] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, snapshot: Snapshot) -> str:
        token = uuid.uuid4().hex
        with self._lock:
            self._items[token] = snapshot
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return token

    def get(self, session: str, token: str) -> Snapshot | None:
        with self._lock:
            snapshot = self._items.get(token)
            if snapshot is None or snapshot.session != session:
                return None
            if time.monotonic() - snapshot.created > self.ttl_s:
                del self._items[token]
                return None
            self._items.move_to_end(token)
            return snapshot

    def drop_session(self, session: str) -> None:
        with self._lock:
            for token in [t for t, s in self._items.items() if s.session == session]:
                del self._items[token]


def order(index: SessionIndex, rtype: str, matched: set[str], sort: list[tuple[str, bool]]) -> list[str]:
    ids = index.in_order(rtype, matched)
    for name, descending in reversed(sort):
        pdef = definition(rtype, name)
        if pdef.type in ("special", "reference"):
            raise SearchError(f"_sort impossible sur {name}")
        column = index.column(rtype, pdef)

        def key(rid: str, column: dict = column) -> tuple[int, Any]:
            values = column.get(rid)
            if not values:
                return (1, "")
            value = values[0]
            return (0, value[-1] if isinstance(value, tuple) and pdef.type == "token" else
                    value[0] if isinstance(value, tuple) else value)
        present = [r for r in ids if column.get(r)]
        absent = [r for r in ids if not column.get(r)]
        present.sort(key=key, reverse=descending)
        ids = present + absent
    return ids


def check_includes(specs: list[IncludeSpec]) -> None:
    for spec in specs:
        if spec.reverse and (spec.source, spec.param) in ACCEPTED_EMPTY_REVINCLUDES:
            continue
        if spec.source not in PARAMS:
            raise SearchError(f"{spec.label} : type de ressource inconnu")
        if spec.param == "*":
            continue
        target = INCLUDES.get((spec.source, spec.param))
        if target is None:
            raise SearchError(f"{spec.label} : paramètre de référence inconnu")
        if spec.target and spec.target != target:
            raise SearchError(f"{spec.label} : type cible {spec.target} incompatible")
        # `_include=Organization:partof` on offers is accepted and includes nothing, as on HAPI; the
        # conformance check ror@7 flags it (the chain needs :iterate).


def _reference_params(rtype: str, param: str) -> list[str]:
    """`*` is every reference parameter of the type (FHIR search §3.2.1.6.6), in a stable order."""
    return sorted(n for (t, n) in INCLUDES if t == rtype) if param == "*" else [param]


def _targets(index: SessionIndex, resource: dict[str, Any], spec: IncludeSpec) -> list[str]:
    rtype = resource["resourceType"]
    names = _reference_params(rtype, spec.param)
    refs = []
    for name in names:
        pdef = PARAMS[rtype][name]
        try:
            refs += pdef.extract(resource)
        except (TypeError, ValueError, AttributeError):
            continue
    return refs


def collect_includes(index: SessionIndex, matches: list[dict[str, Any]], specs: list[IncludeSpec],
                     hidden: frozenset[str]) -> list[dict[str, Any]]:
    seen = {f"{r['resourceType']}/{r['id']}" for r in matches}
    included: dict[str, dict[str, Any]] = {}

    def add(ref: str) -> bool:
        if ref in seen or ref in hidden or len(included) >= MAX_INCLUDED:
            return False
        resource = index.resolve(ref)
        if resource is None:
            return False
        seen.add(ref)
        included[ref] = resource
        return True

    def apply(spec: IncludeSpec, pool: list[dict[str, Any]]) -> bool:
        grew = False
        for resource in pool:
            if spec.reverse:
                if (spec.source, spec.param) in ACCEPTED_EMPTY_REVINCLUDES:
                    continue
                me = f"{resource['resourceType']}/{resource['id']}"
                for name in _reference_params(spec.source, spec.param):
                    for rid in sorted(index.referrers(spec.source, PARAMS[spec.source][name]).get(me, ())):
                        grew |= add(f"{spec.source}/{rid}")
            elif resource["resourceType"] == spec.source:
                for ref in _targets(index, resource, spec):
                    grew |= add(normal_reference(ref))
        return grew

    for spec in [s for s in specs if s.reverse and not s.iterate]:
        apply(spec, matches)
    first_pass = list(included.values())
    for spec in [s for s in specs if not s.reverse and not s.iterate]:
        apply(spec, matches + first_pass)
    iterating = [s for s in specs if s.iterate]
    for _ in range(MAX_ITERATIONS):
        if not iterating:
            break
        pool = matches + list(included.values())
        if not any([apply(spec, pool) for spec in iterating]):
            break
    return list(included.values())


def subset(resource: dict[str, Any], elements: tuple[str, ...]) -> dict[str, Any]:
    kept = {k: v for k, v in resource.items() if k in ("resourceType", "id", "meta") or k in elements}
    meta = dict(kept.get("meta") or {})
    meta["tag"] = [*(meta.get("tag") or []), SUBSETTED]
    kept["meta"] = meta
    return kept


def entry(full_url: str, resource: dict[str, Any], mode: str, distance: float | None) -> dict[str, Any]:
    search: dict[str, Any] = {"mode": mode}
    if distance is not None:
        from simulators.ror.model import EXT_DISTANCE
        search["extension"] = [{"url": EXT_DISTANCE, "valueDistance": {
            "value": distance, "unit": "km", "system": "http://unitsofmeasure.org", "code": "km"}}]
    return {"fullUrl": full_url, "resource": resource, "search": search}


def page_entries(index: SessionIndex, snapshot: Snapshot, offset: int, count: int, base_url: str,
                 present: Callable[[dict[str, Any]], dict[str, Any]]) -> list[dict[str, Any]]:
    page_ids = snapshot.ids[offset:offset + count]
    matches = [r for r in (index.get(snapshot.rtype, rid) for rid in page_ids) if r is not None]
    includes = collect_includes(index, matches, snapshot.request.includes, snapshot.hidden)
    entries = []
    for resource, mode in [(r, "match") for r in matches] + [(r, "include") for r in includes]:
        ref = f"{resource['resourceType']}/{resource['id']}"
        if mode == "match" and snapshot.request.elements:
            shown = present(subset(resource, snapshot.request.elements))
        else:
            shown = present(resource)
        entries.append(entry(f"{base_url}/{ref}", shown, mode, snapshot.distances.get(ref)))
    return entries

