"""Evaluation of search criteria over a `SessionIndex`: every clause narrows a candidate set.

Semantics follow HAPI (the ROR's server) where the IG is silent: separate parameters are AND,
comma values are OR, chained capacity criteria are independent unless the session asks for
same-entry semantics (ror.md §1.12 item 5), `organization.<p>:above` matches the provider or any
`partOf` ancestor (ror.md §1.8). Distances of `near` / `near-insee-code` are kept for the
`location-distance` extension of the returned Locations.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from simulators.identities.communes import find_commune, haversine_km
from simulators.ror import fhirdates
from simulators.ror.codec import Clause, SearchError
from simulators.ror.index import SessionIndex
from simulators.ror.params import PARAMS, ParamDef, capacity_entry_values, extensions, normal_reference, normalise
from simulators.ror import model as m

PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
_NUMBER_RE = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(-?\d{1,12}(?:\.\d{1,12})?)$")
_YEARS = {"a", "an", "ans", "year", "years", "yr", "[y]", "annee", "annees"}
_DISTANCE_UNITS = {"km": 1.0, "m": 0.001, "mi": 1.609344, "[mi_i]": 1.609344}
MAX_RADIUS_KM = 2000.0
_FILTER_STRING_OPS = {"eq", "ne", "co", "sw", "ew"}


@dataclass
class Evaluation:
    """State of one search: distances found by geographic criteria, keyed by "Location/id"."""

    index: SessionIndex
    hidden: frozenset[str] = frozenset()
    same_entry_capacity: bool = False
    distances: dict[str, float] = field(default_factory=dict)

    def visible(self, rtype: str) -> set[str]:
        prefix = rtype + "/"
        return {rid for rid in self.index.ids(rtype) if prefix + rid not in self.hidden} if self.hidden \
            else set(self.index.ids(rtype))


def definition(rtype: str, name: str) -> ParamDef:
    pdef = PARAMS.get(rtype, {}).get(name)
    if pdef is None:
        raise SearchError(f"paramètre de recherche inconnu pour {rtype} : {name!r}")
    return pdef


def match_all(ev: Evaluation, rtype: str, clauses: list[Clause], filter_node: Any,
              candidates: set[str] | None = None) -> set[str]:
    current = ev.visible(rtype) if candidates is None else candidates
    ordered = sorted(clauses, key=lambda c: (bool(c.chain) or bool(c.has), _cost(rtype, c)))
    if ev.same_entry_capacity:
        ordered, groups = _split_capacity_groups(rtype, ordered)
        for chain, group in groups.items():
            current = _chained_group(ev, rtype, chain, group, current)
    for clause in ordered:
        if not current:
            break
        current = evaluate(ev, rtype, clause, current)
    if filter_node is not None and current:
        current = evaluate_filter(ev, rtype, filter_node, current)
    return current


def _cost(rtype: str, clause: Clause) -> int:
    pdef = PARAMS.get(rtype, {}).get(clause.name)
    return 0 if pdef is not None and pdef.type in ("token", "reference") else 1


def evaluate_filter(ev: Evaluation, rtype: str, node: Any, candidates: set[str]) -> set[str]:
    kind = node[0]
    if kind == "cmp":
        return evaluate(ev, rtype, node[1], candidates)
    if kind == "not":
        return candidates - evaluate_filter(ev, rtype, node[1], candidates)
    if kind == "and":
        result = candidates
        for child in node[1]:
            result = evaluate_filter(ev, rtype, child, result)
        return result
    result: set[str] = set()
    for child in node[1]:
        result |= evaluate_filter(ev, rtype, child, candidates - result)
    return result


def evaluate(ev: Evaluation, rtype: str, clause: Clause, candidates: set[str]) -> set[str]:
    if clause.has is not None:
        return _has(ev, rtype, clause, candidates)
    if clause.chain:
        return _chained(ev, rtype, clause, candidates)
    pdef = definition(rtype, clause.name)
    if clause.modifier == "missing" or clause.op == "pr":
        return _missing(ev, rtype, pdef, clause, candidates)
    if pdef.type == "token":
        return _token(ev, rtype, pdef, clause, candidates)
    if pdef.type == "reference":
        return _reference(ev, rtype, pdef, clause, candidates)
    if pdef.name == "_content":
        needles = [normalise(v) for v in clause.values]
        text = ev.index.content(rtype)
        return {rid for rid in candidates if any(n in text.get(rid, "") for n in needles)}
    if pdef.type == "special":
        return _near(ev, rtype, pdef, clause, candidates)
    if clause.modifier and not (pdef.type == "string" and clause.modifier in ("exact", "contains")):
        raise SearchError(f"modificateur :{clause.modifier} non applicable à {clause.name}")
    predicate = value_predicate(pdef, clause)
    column = ev.index.column(rtype, pdef)
    return {rid for rid in candidates if any(predicate(v) for v in column.get(rid, ()))}


# --- kinds of parameters ---------------------------------------------------------------------------
def _missing(ev: Evaluation, rtype: str, pdef: ParamDef, clause: Clause, candidates: set[str]) -> set[str]:
    flag = clause.values[0].lower() if clause.values else "true"
    if clause.op == "pr":
        flag = "false" if flag == "true" else "true"
    if flag not in ("true", "false"):
        raise SearchError(f":missing attend true ou false, obtenu {flag!r}")
    column = ev.index.column(rtype, pdef)
    present = {rid for rid in candidates if column.get(rid)}
    return candidates - present if flag == "true" else present


def token_key(raw: str, of_type: bool, name: str) -> tuple[str, ...]:
    if of_type:
        parts = raw.split("|")
        if len(parts) != 3 or not all(parts):
            raise SearchError(f"{name}:of-type attend système|code|valeur, obtenu {raw[:60]!r}")
        return ("of-type", *parts)
    if "|" not in raw:
        return ("*", raw)
    system, _, code = raw.partition("|")
    if "|" in code:
        raise SearchError(f"valeur de jeton invalide pour {name} : {raw[:80]!r}")
    return (system, code or "*")


def _token(ev: Evaluation, rtype: str, pdef: ParamDef, clause: Clause, candidates: set[str]) -> set[str]:
    if clause.modifier not in ("", "not", "of-type") or clause.op not in ("", "eq", "ne"):
        raise SearchError(f"modificateur ou opérateur non applicable au jeton {clause.name}")
    inverted = ev.index.tokens(rtype, pdef)
    matched: set[str] = set()
    for raw in clause.values:
        key = token_key(raw, clause.modifier == "of-type", clause.name)
        if key == ("", "*") or not key[-1]:
            raise SearchError(f"valeur de jeton vide pour {clause.name}")
        matched |= inverted.get(key, set())
    if clause.modifier == "not" or clause.op == "ne":
        return candidates - matched
    return candidates & matched


def _reference(ev: Evaluation, rtype: str, pdef: ParamDef, clause: Clause, candidates: set[str]) -> set[str]:
    if clause.modifier not in ("", "above") or clause.op not in ("", "eq"):
        raise SearchError(f"modificateur non applicable à la référence {clause.name}")
    reverse = ev.index.referrers(rtype, pdef)
    matched: set[str] = set()
    for raw in clause.values:
        ref = normal_reference(raw) if "/" in raw else f"{pdef.target}/{raw}"
        targets = [ref]
        if clause.modifier == "above" and pdef.target == "Organization":
            targets = [f"Organization/{o}" for o in ev.index.lineage(ref.partition("/")[2])]
        for target in targets:
            matched |= reverse.get(target, set())
    return candidates & matched


def _has(ev: Evaluation, rtype: str, clause: Clause, candidates: set[str]) -> set[str]:
    source, ref_param = clause.has  # type: ignore[misc]
    if source not in PARAMS:
        raise SearchError(f"_has : type de ressource inconnu {source!r}")
    ref_def = definition(source, ref_param)
    if ref_def.type != "reference" or ref_def.target != rtype:
        raise SearchError(f"_has : {source}:{ref_param} ne référence pas {rtype}")
    inner = Clause(clause.name, clause.values, clause.chain, clause.modifier, clause.op)
    sources = match_all(ev, source, [inner], None)
    column = ev.index.column(source, ref_def)
    targets = {normal_reference(ref).partition("/")[2] for sid in sources for ref in column.get(sid, ())}
    return candidates & targets


def _chained(ev: Evaluation, rtype: str, clause: Clause, candidates: set[str]) -> set[str]:
    link = definition(rtype, clause.chain[0])
    if link.type != "reference":
        raise SearchError(f"chaînage impossible : {clause.chain[0]!r} n'est pas une référence de {rtype}")
    column = ev.index.column(rtype, link)
    prefix = link.target + "/"
    targets = {ref[len(prefix):] for rid in candidates for ref in column.get(rid, ()) if ref.startswith(prefix)}
    above = clause.modifier == "above" and len(clause.chain) == 1
    if above and link.target != "Organization":
        raise SearchError(":above n'est pris en charge que sur la hiérarchie des organisations")
    inner = Clause(clause.name, clause.values, clause.chain[1:], "" if above else clause.modifier, clause.op)
    if above:
        lineages = {t: ev.index.lineage(t) for t in targets}
        pool = {o for chain in lineages.values() for o in chain if f"Organization/{o}" not in ev.hidden}
        hits = evaluate(ev, link.target, inner, pool)
        matched = {t for t, chain in lineages.items() if hits.intersection(chain)}
    else:
        visible = {t for t in targets if prefix + t not in ev.hidden}
        matched = evaluate(ev, link.target, inner, visible)
    return {rid for rid in candidates if any(ref.startswith(prefix) and ref[len(prefix):] in matched
                                             for ref in column.get(rid, ()))}


# --- value comparisons ---------------------------------------------------------------------------------
def value_predicate(pdef: ParamDef, clause: Clause) -> Any:
    tests = [_single_predicate(pdef, clause, raw) for raw in clause.values]
    return lambda value: any(test(value) for test in tests)


def _single_predicate(pdef: ParamDef, clause: Clause, raw: str) -> Any:
    if pdef.type == "string":
        return _string_predicate(clause, raw)
    prefix, rest = _split_prefix(raw, clause)
    if pdef.type == "date":
        try:
            low, high = fhirdates.parse_range(rest)
        except ValueError as exc:
            raise SearchError(f"{clause.name} : {exc}") from exc
        return lambda v: compare_range(prefix, v, (low, high))
    if pdef.type == "number":
        if not _NUMBER_RE.match(rest):
            raise SearchError(f"{clause.name} : nombre invalide {raw[:40]!r}")
        number = float(rest)
        return lambda v: compare_number(prefix, v, number)
    if pdef.type == "quantity":
        number, unit = parse_quantity(rest, clause.name)
        return lambda v: (not unit or _unit(v[1]) == unit) and compare_number(prefix, v[0], number)
    raise SearchError(f"type de paramètre non pris en charge : {pdef.type}")


def _split_prefix(raw: str, clause: Clause) -> tuple[str, str]:
    if clause.op and clause.op in PREFIXES:
        return clause.op, raw
    if clause.op:
        raise SearchError(f"_filter : opérateur {clause.op!r} non applicable à {clause.name}")
    if raw[:2] in PREFIXES and len(raw) > 2 and not raw[2].isalpha():
        return raw[:2], raw[2:]
    return "eq", raw


def parse_quantity(text: str, name: str) -> tuple[float, str]:
    number, _, unit_part = text.partition("|")
    if not _NUMBER_RE.match(number):
        raise SearchError(f"{name} : quantité invalide {text[:60]!r} (attendu [préfixe]nombre|système|code)")
    unit = ""
    if unit_part:
        system, sep, code = unit_part.partition("|")
        unit = code if sep else system
    return float(number), _unit(unit) if unit else ""


def _unit(code: str) -> str:
    return "a" if normalise(code) in _YEARS else code


def compare_number(prefix: str, value: float, target: float) -> bool:
    if prefix == "eq":
        return value == target
    if prefix == "ne":
        return value != target
    if prefix in ("gt", "sa"):
        return value > target
    if prefix in ("lt", "eb"):
        return value < target
    if prefix == "ge":
        return value >= target
    if prefix == "le":
        return value <= target
    return abs(value - target) <= abs(target) * 0.1  # ap


def compare_range(prefix: str, value: tuple[float, float], search: tuple[float, float]) -> bool:
    (tlo, thi), (slo, shi) = value, search
    contained = slo <= tlo and thi <= shi
    if prefix == "eq":
        return contained
    if prefix == "ne":
        return not contained
    if prefix == "gt":
        return thi > shi
    if prefix == "lt":
        return tlo < slo
    if prefix == "ge":
        return thi > shi or contained
    if prefix == "le":
        return tlo < slo or contained
    if prefix == "sa":
        return tlo > shi
    if prefix == "eb":
        return thi < slo
    margin = max(86400.0, 0.1 * abs(shi - slo))
    return tlo <= shi + margin and thi >= slo - margin  # ap


def _string_predicate(clause: Clause, raw: str) -> Any:
    needle = normalise(raw)
    op = clause.op or {"exact": "eq", "contains": "co"}.get(clause.modifier, "sw")
    if op not in _FILTER_STRING_OPS:
        raise SearchError(f"_filter : opérateur {op!r} non applicable à la chaîne {clause.name}")
    if clause.modifier == "exact":
        return lambda v: v == needle
    return {"eq": lambda v: v == needle, "ne": lambda v: v != needle, "co": lambda v: needle in v,
            "sw": lambda v: v.startswith(needle), "ew": lambda v: v.endswith(needle)}[op]


# --- geography -------------------------------------------------------------------------------------------
def parse_near(pdef: ParamDef, raw: str) -> tuple[float, float, float]:
    parts = raw.split("|")
    if pdef.name == "near-insee-code":
        if len(parts) not in (1, 2, 3):
            raise SearchError(f"near-insee-code attend code|distance|unité, obtenu {raw[:60]!r}")
        town = find_commune(parts[0].strip())
        if town is None:
            raise SearchError(f"near-insee-code : commune {parts[0][:10]!r} inconnue du simulateur")
        lat, lon, rest = town.latitude, town.longitude, parts[1:]
    else:
        if len(parts) not in (2, 3, 4):
            raise SearchError(f"near attend latitude|longitude|distance|unité, obtenu {raw[:60]!r}")
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError as exc:
            raise SearchError(f"near : coordonnées invalides {raw[:60]!r}") from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise SearchError("near : coordonnées hors limites WGS84")
        rest = parts[2:]
    distance, unit = (rest + ["", ""])[:2]
    unit = unit or "km"
    if unit not in _DISTANCE_UNITS:
        raise SearchError(f"unité de distance non prise en charge : {unit!r} (km ou m)")
    try:
        radius = float(distance) * _DISTANCE_UNITS[unit] if distance else 10.0
    except ValueError as exc:
        raise SearchError(f"distance invalide : {distance[:20]!r}") from exc
    if not 0 <= radius <= MAX_RADIUS_KM or math.isnan(radius):
        raise SearchError(f"distance hors limites (0 à {MAX_RADIUS_KM:.0f} km)")
    return lat, lon, radius


def _near(ev: Evaluation, rtype: str, pdef: ParamDef, clause: Clause, candidates: set[str]) -> set[str]:
    if clause.modifier or clause.op not in ("", "eq"):
        raise SearchError(f"modificateur non applicable à {clause.name}")
    centres = [parse_near(pdef, raw) for raw in clause.values]
    column = ev.index.column(rtype, pdef)
    result = set()
    for rid in candidates:
        best = None
        for lat, lon in column.get(rid, ()):
            for clat, clon, radius in centres:
                if abs(lat - clat) * 111.2 > radius:
                    continue
                dist = haversine_km(clat, clon, lat, lon)
                if dist <= radius and (best is None or dist < best):
                    best = dist
        if best is not None:
            result.add(rid)
            ev.distances[f"{rtype}/{rid}"] = round(best, 2)
    return result


# --- same-entry capacity semantics (optional) -----------------------------------------------------------
def _split_capacity_groups(rtype: str, clauses: list[Clause]) -> tuple[list[Clause], dict[tuple, list[Clause]]]:
    rest, groups = [], {}
    for clause in clauses:
        target = _chain_target(rtype, clause.chain)
        pdef = PARAMS.get(target or "", {}).get(clause.name)
        if pdef is not None and pdef.capacity and not clause.modifier and clause.has is None:
            groups.setdefault(clause.chain, []).append(clause)
        else:
            rest.append(clause)
    return rest, {k: v for k, v in groups.items()} if groups else {}


def _chain_target(rtype: str, chain: tuple[str, ...]) -> str | None:
    current = rtype
    for link in chain:
        pdef = PARAMS.get(current, {}).get(link)
        if pdef is None or pdef.type != "reference":
            return None
        current = pdef.target
    return current


def _chained_group(ev: Evaluation, rtype: str, chain: tuple[str, ...], group: list[Clause],
                   candidates: set[str]) -> set[str]:
    if not chain:
        preds = [(c.name, value_predicate(definition(rtype, c.name), c) if definition(rtype, c.name).type != "token"
                  else _token_test(c)) for c in group]
        result = set()
        for rid in candidates:
            entries = extensions(ev.index.get(rtype, rid) or {}, m.EXT_SUPPORTED_CAPACITY)
            if any(all(any(p(v) for v in capacity_entry_values(e, name)) for name, p in preds) for e in entries):
                result.add(rid)
        return result
    link = definition(rtype, chain[0])
    column = ev.index.column(rtype, link)
    prefix = link.target + "/"
    targets = {r[len(prefix):] for rid in candidates for r in column.get(rid, ()) if r.startswith(prefix)}
    matched = _chained_group(ev, link.target, chain[1:], group, targets - {t for t in targets if prefix + t in ev.hidden})
    return {rid for rid in candidates if any(r[len(prefix):] in matched for r in column.get(rid, ()) if r.startswith(prefix))}


def _token_test(clause: Clause) -> Any:
    keys = [token_key(raw, False, clause.name) for raw in clause.values]

    def test(value: tuple[str, str]) -> bool:
        return any((k[0] in ("*", value[0])) and (k[1] in ("*", value[1])) for k in keys)
    return test
