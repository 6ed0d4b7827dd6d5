"""In-memory index of one session's resources, built from the store on first use and dropped on
every write (the store bumps a version): searches over 20,000 offers then cost set operations and
short scans, never one SQL query per parameter.

Columns (parameter values per resource) and inverted token indexes are built lazily, one parameter
at a time, so a session that only ever searches by category and age never pays for the rest.
Concurrent builders may compute the same column twice; the result is identical, so no lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from simulators.ror.grid import Grid
from simulators.ror.params import PARAMS, ParamDef, normal_reference, normalise
from simulators.ror.rendered import Presented

TokenKey = tuple[str, ...]
#: the parameters every orientation search uses, built with the index (`warm`)
WARMED = {"HealthcareService": ("service-category", "age-range-low", "age-range-high", "location", "organization"),
          "Location": ("near", "near-insee-code", "capacity-status", "nb-capacity"),
          "Organization": ("type", "partof"),
          "PractitionerRole": ("service",)}


def token_keys(value: tuple[str, ...]) -> list[TokenKey]:
    """Keys a token value answers to: exact, any system, any code; identifiers also by type."""
    if len(value) == 3:
        return [("of-type", *value)]
    system, code = value
    return [(system, code), ("*", code), (system, "*")]


class SessionIndex:
    def __init__(self, resources: Iterable[dict[str, Any]], version: int = 0) -> None:
        self.version = version
        self.by_type: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in PARAMS}
        for resource in resources:
            self.by_type.setdefault(resource["resourceType"], {})[str(resource.get("id"))] = resource
        self._columns: dict[tuple[str, str], dict[str, list[Any]]] = {}
        self._tokens: dict[tuple[str, str], dict[TokenKey, frozenset[str]]] = {}
        self._referrers: dict[tuple[str, str], dict[str, set[str]]] = {}
        self._hidden: dict[Any, frozenset[str]] = {}
        self._parents: dict[str, str] | None = None
        self._content: dict[str, dict[str, str]] = {}
        self._visible: dict[Any, tuple[frozenset[str], frozenset[str]]] = {}
        self._positions: dict[str, dict[str, int]] = {}
        self._grids: dict[tuple[Any, ...], Grid] = {}
        self._value_sets: dict[tuple[str, str], dict[Any, frozenset[str]] | None] = {}
        self._hides: dict[tuple[int, str], tuple[frozenset[str], bool]] = {}
        self._visible_tokens: dict[tuple[Any, ...], tuple[frozenset[str], frozenset[str]]] = {}
        self.presented = Presented()  # resources as each profile sees them, and their JSON (rendered.py)

    # --- resources ---------------------------------------------------------------------------------
    def get(self, rtype: str, rid: str) -> dict[str, Any] | None:
        return self.by_type.get(rtype, {}).get(rid)

    def resolve(self, reference: str) -> dict[str, Any] | None:
        rtype, _, rid = normal_reference(reference).partition("/")
        return self.get(rtype, rid)

    def ids(self, rtype: str) -> list[str]:
        """Ids in insertion order (the store's order), the default result order."""
        return list(self.by_type.get(rtype, {}))

    def grid(self, rtype: str, pdef: ParamDef) -> Grid:
        """Positions (`near`) of `rtype` resources, by grid cell."""
        key = (rtype, pdef.extract)  # `near` and `near-insee-code` share their positions
        grid = self._grids.get(key)
        if grid is None:
            grid = Grid((rid, lat, lon) for rid, values in self.column(rtype, pdef).items() for lat, lon in values)
            self._grids[key] = grid
        return grid

    def chain_grid(self, rtype: str, link: ParamDef, pdef: ParamDef) -> Grid:
        """Positions of the `link.target` resources an `rtype` resource points at through `link`,
        keyed by the `rtype` id (`location.near` on offers without going through every place)."""
        key = (rtype, link.name, pdef.extract)
        grid = self._grids.get(key)
        if grid is None:
            prefix = link.target + "/"
            positions = self.column(link.target, pdef)
            grid = Grid((rid, lat, lon) for rid, refs in self.column(rtype, link).items() for ref in refs
                        if ref.startswith(prefix) for lat, lon in positions.get(ref[len(prefix):], ()))
            self._grids[key] = grid
        return grid

    def value_sets(self, rtype: str, pdef: ParamDef) -> dict[Any, frozenset[str]] | None:
        """Distinct value -> ids holding it, for columns of few distinct values (ages, place counts):
        a comparison is then tested once per value, not once per resource. None for the others."""
        key = (rtype, pdef.name)
        if key not in self._value_sets:
            sets: dict[Any, set[str]] | None = {}
            column = self.column(rtype, pdef)
            try:
                for rid, values in column.items():
                    for value in values:
                        sets.setdefault(value, set()).add(rid)  # type: ignore[union-attr]
                        if len(sets) > 256:  # type: ignore[arg-type]
                            raise TypeError("too many distinct values")
            except TypeError:  # unhashable or too many: the scan is the better way
                sets = None
            self._value_sets[key] = None if sets is None else {v: frozenset(ids) for v, ids in sets.items()}
        return self._value_sets[key]

    def visible_with(self, rtype: str, pdef: ParamDef, key: TokenKey, hidden: frozenset[str]) -> frozenset[str]:
        """Visible resources holding one token (the first criterion of most searches), cached per
        visibility set: an offer type is asked again and again."""
        cache_key = (rtype, pdef.name, key, id(hidden))
        cached = self._visible_tokens.get(cache_key)
        if cached is None or cached[0] is not hidden:
            if len(self._visible_tokens) > 4096:
                self._visible_tokens.clear()
            holders = self.tokens(rtype, pdef).get(key, frozenset())
            found = self.visible_ids(rtype, hidden) & holders
            cached = (hidden, holders if len(found) == len(holders) else frozenset(found))  # nothing hidden: shared
            self._visible_tokens[cache_key] = cached
        return cached[1]

    def hides(self, hidden: frozenset[str], rtype: str) -> bool:
        """Whether a visibility set hides any resource of `rtype`."""
        key = (id(hidden), rtype)
        cached = self._hides.get(key)
        if cached is None or cached[0] is not hidden:
            prefix = rtype + "/"
            cached = (hidden, any(h.startswith(prefix) for h in hidden))
            self._hides[key] = cached
        return cached[1]

    def in_order(self, rtype: str, subset: Iterable[str]) -> list[str]:
        """`subset` in store order (sorting a few ids beats scanning 20,000)."""
        positions = self._positions.get(rtype)
        if positions is None:
            positions = {rid: n for n, rid in enumerate(self.by_type.get(rtype, {}))}
            self._positions[rtype] = positions
        return sorted(subset, key=positions.__getitem__)

    def count(self, rtype: str) -> int:
        return len(self.by_type.get(rtype, {}))

    # --- parameter values ---------------------------------------------------------------------------
    def column(self, rtype: str, pdef: ParamDef) -> dict[str, list[Any]]:
        key = (rtype, pdef.name)
        column = self._columns.get(key)
        if column is None:
            column = {}
            for rid, resource in self.by_type.get(rtype, {}).items():
                try:
                    values = pdef.extract(resource)
                except (TypeError, ValueError, AttributeError, KeyError):
                    values = []  # a vendor-loaded resource with an odd shape is simply not indexed
                if values:
                    column[rid] = values
            self._columns[key] = column
        return column

    def tokens(self, rtype: str, pdef: ParamDef) -> dict[TokenKey, frozenset[str]]:
        key = (rtype, pdef.name)
        inverted = self._tokens.get(key)
        if inverted is None:
            building: dict[TokenKey, set[str]] = {}
            for rid, values in self.column(rtype, pdef).items():
                for value in values:
                    for token_key in token_keys(tuple(value)):
                        building.setdefault(token_key, set()).add(rid)
            inverted = {k: frozenset(ids) for k, ids in building.items()}  # read-only: shared by visible_with
            self._tokens[key] = inverted
        return inverted

    def referrers(self, rtype: str, pdef: ParamDef) -> dict[str, set[str]]:
        """"Target/id" -> ids of `rtype` resources whose `pdef` points at it."""
        key = (rtype, pdef.name)
        reverse = self._referrers.get(key)
        if reverse is None:
            reverse = {}
            for rid, refs in self.column(rtype, pdef).items():
                for ref in refs:
                    reverse.setdefault(ref, set()).add(rid)
            self._referrers[key] = reverse
        return reverse

    def content(self, rtype: str) -> dict[str, str]:
        """Normalised searchable text per resource for `_content`: names, addresses, identifiers and
        coding displays (not the whole JSON: 20,000 offers must stay searchable in well under a second)."""
        text = self._content.get(rtype)
        if text is None:
            text = {rid: _searchable_text(r) for rid, r in self.by_type.get(rtype, {}).items()}
            self._content[rtype] = text
        return text

    # --- hierarchy ------------------------------------------------------------------------------------
    def parent_of(self, org_id: str) -> str:
        if self._parents is None:
            parents = {}
            for rid, org in self.by_type.get("Organization", {}).items():
                ref = (org.get("partOf") or {}).get("reference") if isinstance(org.get("partOf"), dict) else None
                if ref:
                    parents[rid] = normal_reference(ref).partition("/")[2]
            self._parents = parents
        return self._parents.get(org_id, "")

    def lineage(self, org_id: str) -> list[str]:
        """The organisation and its `partOf` ancestors, nearest first (cycles cut)."""
        chain: list[str] = []
        current = org_id
        while current and current not in chain and len(chain) < 16:
            chain.append(current)
            current = self.parent_of(current)
        return chain

    def visible_ids(self, rtype: str, hidden: frozenset[str]) -> frozenset[str]:
        key = (rtype, id(hidden), len(hidden))
        cached = self._visible.get(key)
        if cached is None or cached[0] is not hidden:
            prefix = rtype + "/"
            ids = frozenset(rid for rid in self.by_type.get(rtype, {}) if prefix + rid not in hidden)
            cached = (hidden, ids)
            self._visible[key] = cached
        return cached[1]

    def warm(self) -> None:
        """Build the columns every orientation search uses, so the first search of a big session
        costs what the others cost (done once, when the index is built)."""
        wanted = WARMED
        for rtype, names in wanted.items():
            for name in names:
                pdef = PARAMS[rtype][name]
                if pdef.type == "token":
                    self.tokens(rtype, pdef)
                elif pdef.type == "reference":
                    self.referrers(rtype, pdef)
                elif pdef.type == "special":
                    self.column(rtype, pdef)  # read by the distances of a page
                    self.grid(rtype, pdef)
                else:
                    self.value_sets(rtype, pdef)
        positions = PARAMS["Location"]["near"]
        for rtype, link in (("HealthcareService", "location"), ("Location", "partof")):
            self.chain_grid(rtype, PARAMS[rtype][link], positions)
        for rtype in wanted:
            self.in_order(rtype, ())
        self.parent_of("")

    def warm_visibility(self, hidden: frozenset[str]) -> None:
        """What one visibility set sees, built with the index (then frozen out of the GC with it, see
        store.py): its visible ids per type and, per token of the warmed token parameters, the
        visible holders (`visible_with`, the first criterion of most searches)."""
        for rtype in self.by_type:
            self.visible_ids(rtype, hidden)
        for rtype, names in WARMED.items():
            for name in names:
                pdef = PARAMS[rtype][name]
                if pdef.type == "token":
                    for key in self.tokens(rtype, pdef):
                        self.visible_with(rtype, pdef, key, hidden)

    # --- visibility by access profile -------------------------------------------------------------------
    def hidden(self, key: Any, is_hidden: Callable[[dict[str, Any]], bool]) -> frozenset[str]:
        """"Type/id" of resources an access profile must not see (cached per profile key)."""
        result = self._hidden.get(key)
        if result is None:
            result = frozenset(f"{t}/{rid}" for t, items in self.by_type.items() for rid, r in items.items()
                               if is_hidden(r))
            self._hidden[key] = result
        return result


_TEXT_KEYS = {"name", "alias", "line", "city", "postalCode", "value", "display", "family", "given", "text"}


def _searchable_text(resource: dict[str, Any]) -> str:
    parts: list[str] = []
    stack: list[Any] = [resource]
    while stack and len(parts) < 200:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _TEXT_KEYS and isinstance(value, str):
                    parts.append(value)
                elif key in _TEXT_KEYS and isinstance(value, list):
                    parts += [v for v in value if isinstance(v, str)]
                elif isinstance(value, (dict, list)) and key != "extension":
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return normalise(" ".join(parts))
