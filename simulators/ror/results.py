"""From matched ids to a searchset page: sort, snapshot for paging, `_include`/`_revinclude`,
`_elements`, and the `location-distance` extension on Location entries.

Paging is HAPI-style (`?_getpages=<id>&_getpagesoffset=<n>`) over a snapshot of the ordered ids
taken at the first request, so a client walking `next` links sees every result exactly once even
if the data changes meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simulators.fhir.bundle import SUBSETTED, subset, summarise  # noqa: F401 - SUBSETTED re-exported
from simulators.fhir.bundle import dumps
from simulators.fhir.bundle import entry as fhir_entry
from simulators.fhir.includes import collect_includes as shared_includes
from simulators.fhir.paging import PageCache
from simulators.ror.codec import IncludeSpec, SearchError, SearchRequest
from simulators.ror.evaluation import Ids
from simulators.ror.index import SessionIndex
from simulators.ror.model import EXT_DISTANCE
from simulators.ror.params import INCLUDES, PARAMS
from simulators.ror.rendered import entry_json
from simulators.ror.search import definition

MAX_INCLUDED = 5000
ACCEPTED_EMPTY_REVINCLUDES = {("Task", "focus")}


@dataclass
class Snapshot:
    session: str
    rtype: str
    ids: tuple[str, ...]  # a tuple of str: untracked by the GC, whose full passes would walk 256 kept searches
    request: SearchRequest
    distances: Mapping[str, float]  # evaluation.Distances: computed for the places a page shows
    profile: int
    hidden: frozenset[str] = frozenset()
    created: float = field(default_factory=time.monotonic)


class SnapshotCache(PageCache[Snapshot]):
    """Bounded LRU of search results, per bench (ids are random, lookups check the session)."""


def order(index: SessionIndex, rtype: str, matched: Ids, sort: list[tuple[str, bool]]) -> list[str]:
    ids = index.in_order(rtype, matched)
    for name, descending in reversed(sort):
        pdef = definition(rtype, name)
        if pdef.type in ("special", "reference"):
            raise SearchError(f"_sort impossible sur {name}")
        column = index.column(rtype, pdef)

        def key(rid: str, column: dict = column, pdef: Any = pdef) -> tuple[int, Any]:
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
    """The references `spec` follows out of an indexed resource: its reference columns (the same
    extraction, done once per index instead of once per page)."""
    rtype = resource["resourceType"]
    rid = str(resource.get("id"))
    refs: list[str] = []
    for name in _reference_params(rtype, spec.param):
        refs += index.column(rtype, PARAMS[rtype][name]).get(rid, ())
    return refs


def collect_includes(index: SessionIndex, matches: list[dict[str, Any]], specs: list[IncludeSpec],
                     hidden: frozenset[str]) -> list[dict[str, Any]]:
    def reverse(resource: dict[str, Any], spec: IncludeSpec) -> list[str]:
        if (spec.source, spec.param) in ACCEPTED_EMPTY_REVINCLUDES:
            return []
        me = f"{resource['resourceType']}/{resource['id']}"
        found: list[str] = []
        for name in _reference_params(spec.source, spec.param):  # `*`: every reference parameter
            referrers = index.referrers(spec.source, PARAMS[spec.source][name]).get(me, ())
            found += [f"{spec.source}/{rid}" for rid in sorted(referrers) if f"{spec.source}/{rid}" not in found]
        return found

    return shared_includes(matches, specs, resolve=index.resolve, forward=lambda r, s: _targets(index, r, s),
                           reverse=reverse, hidden=hidden, limit=MAX_INCLUDED)


def entry(full_url: str, resource: dict[str, Any], mode: str, distance: float | None) -> dict[str, Any]:
    extensions = None
    if distance is not None:
        extensions = [{"url": EXT_DISTANCE, "valueDistance": {
            "value": distance, "unit": "km", "system": "http://unitsofmeasure.org", "code": "km"}}]
    return fhir_entry(full_url, resource, mode, extensions)


def page_entries(index: SessionIndex, snapshot: Snapshot, offset: int, count: int, base_url: str,
                 present: Callable[[dict[str, Any]], dict[str, Any]],
                 entries_json: list[bytes] | None = None) -> list[dict[str, Any]]:
    """The entries of one page; with `entries_json`, their JSON bytes too (resources serialised once
    per index and profile in `index.presented`, unless `_elements` / `_summary` reshape them)."""
    page_ids = snapshot.ids[offset:offset + count]
    matches = [r for r in (index.get(snapshot.rtype, rid) for rid in page_ids) if r is not None]
    includes = collect_includes(index, matches, snapshot.request.includes, snapshot.hidden)
    entries = []
    reshaped = bool(snapshot.request.summary and snapshot.request.summary != "false")
    for resource, mode in [(r, "match") for r in matches] + [(r, "include") for r in includes]:
        ref = f"{resource['resourceType']}/{resource['id']}"
        full_url = f"{base_url}/{ref}"
        if (mode == "match" and snapshot.request.elements) or reshaped:
            shown = present(resource)
            if mode == "match" and snapshot.request.elements:
                shown = subset(shown, snapshot.request.elements)
            else:
                shown = summarise(shown, snapshot.request.summary)
            raw = dumps(shown) if entries_json is not None else b""
        else:
            shown, raw = index.presented.get(snapshot.profile, ref, resource, present)
        item = entry(full_url, shown, mode, snapshot.distances.get(ref))
        entries.append(item)
        if entries_json is not None:
            entries_json.append(entry_json(full_url, raw, item["search"]))
    return entries
