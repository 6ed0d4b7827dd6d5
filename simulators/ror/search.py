"""Evaluation of search criteria over a `SessionIndex`: every clause narrows a candidate set.

Semantics follow HAPI (the ROR's server) where the IG is silent: separate parameters are AND,
comma values are OR, chained capacity criteria are independent unless the session asks for
same-entry semantics (ror.md §1.12 item 5), `organization.<p>:above` matches the provider or any
`partOf` ancestor (ror.md §1.8). Distances of `near` / `near-insee-code` are kept for the
`location-distance` extension of the returned Locations.
"""

from __future__ import annotations

from typing import Any

from simulators.fhir.predicates import token_key, token_test, value_predicate
from simulators.ror import model as m
from simulators.ror.codec import Clause, SearchError
from simulators.ror.evaluation import Evaluation, Ids
from simulators.ror.geo import LARGE_SET, chained_near, near
from simulators.ror.params import PARAMS, ParamDef, capacity_entry_values, extensions, normal_reference, normalise


def definition(rtype: str, name: str) -> ParamDef:
    pdef = PARAMS.get(rtype, {}).get(name)
    if pdef is None:
        raise SearchError(f"paramètre de recherche inconnu pour {rtype} : {name!r}")
    return pdef


def match_all(ev: Evaluation, rtype: str, clauses: list[Clause], filter_node: Any,
              candidates: Ids | None = None) -> Ids:
    current = ev.visible(rtype) if candidates is None else candidates
    ordered = sorted(clauses, key=lambda c: _cost(rtype, c))
    if ev.same_entry_capacity:
        ordered, groups = _split_capacity_groups(rtype, ordered)
        for chain, group in groups.items():
            current = _chained_group(ev, rtype, chain, group, current)
    for clause in ordered:  # no early exit on an empty set: every clause is still validated
        current = evaluate(ev, rtype, clause, current)
    if filter_node is not None and current:
        current = evaluate_filter(ev, rtype, filter_node, current)
    return current


def _cost(rtype: str, clause: Clause) -> int:
    """Cheap and selective first: inverted indexes, then chains (a place near here), then scans."""
    if clause.has is not None:
        return 2
    if clause.chain:
        return 1
    pdef = PARAMS.get(rtype, {}).get(clause.name)
    return 0 if pdef is not None and pdef.type in ("token", "reference") else 3


def evaluate_filter(ev: Evaluation, rtype: str, node: Any, candidates: Ids) -> Ids:
    kind = node[0]
    if kind == "cmp":
        return evaluate(ev, rtype, node[1], candidates)
    if kind == "not":
        return candidates - evaluate_filter(ev, rtype, node[1], candidates)
    if kind == "and":
        kept = candidates
        for child in node[1]:
            kept = evaluate_filter(ev, rtype, child, kept)
        return kept
    result: set[str] = set()
    for child in node[1]:
        result |= evaluate_filter(ev, rtype, child, candidates - result)
    return result


def evaluate(ev: Evaluation, rtype: str, clause: Clause, candidates: Ids) -> Ids:
    if clause.has is not None:
        return _has(ev, rtype, clause, candidates)
    if clause.chain:
        return _chained(ev, rtype, clause, candidates)
    pdef = definition(rtype, clause.name)
    if clause.modifier == "above" and rtype == "Organization" and pdef.type != "reference":
        return _organization_above(ev, clause, candidates)
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
        return near(ev, rtype, pdef, clause, candidates)
    if clause.modifier and not (pdef.type == "string" and clause.modifier in ("exact", "contains")):
        raise SearchError(f"modificateur :{clause.modifier} non applicable à {clause.name}")
    predicate = value_predicate(pdef, clause)
    by_value = ev.index.value_sets(rtype, pdef)
    if by_value is not None and len(by_value) * 8 < len(candidates):  # test each distinct value once
        found: set[str] = set()
        for value, holders in by_value.items():
            if predicate(value):
                found |= holders & candidates
        return found
    column = ev.index.column(rtype, pdef)
    result = set()
    for rid in candidates:
        values = column.get(rid)
        if values:
            for value in values:
                if predicate(value):
                    result.add(rid)
                    break
    return result


# --- kinds of parameters ---------------------------------------------------------------------------
def _missing(ev: Evaluation, rtype: str, pdef: ParamDef, clause: Clause, candidates: Ids) -> Ids:
    flag = clause.values[0].lower() if clause.values else "true"
    if clause.op == "pr":
        flag = "false" if flag == "true" else "true"
    if flag not in ("true", "false"):
        raise SearchError(f":missing attend true ou false, obtenu {flag!r}")
    column = ev.index.column(rtype, pdef)
    present = {rid for rid in candidates if column.get(rid)}
    return candidates - present if flag == "true" else present


def _token(ev: Evaluation, rtype: str, pdef: ParamDef, clause: Clause, candidates: Ids) -> Ids:
    if clause.modifier not in ("", "not", "of-type") or clause.op not in ("", "eq", "ne"):
        raise SearchError(f"modificateur ou opérateur non applicable au jeton {clause.name}")
    inverted = ev.index.tokens(rtype, pdef)
    if len(clause.values) == 1 and not clause.modifier and clause.op in ("", "eq"):
        key = token_key(clause.values[0], False, clause.name)
        if key == ("", "*") or not key[-1]:
            raise SearchError(f"valeur de jeton vide pour {clause.name}")
        if candidates is ev.visible(rtype):
            return ev.index.visible_with(rtype, pdef, key, ev.hidden)  # a frozenset: read-only, as callers use it
        return candidates & inverted.get(key, frozenset())
    matched: set[str] = set()
    for raw in clause.values:
        key = token_key(raw, clause.modifier == "of-type", clause.name)
        if key == ("", "*") or not key[-1]:
            raise SearchError(f"valeur de jeton vide pour {clause.name}")
        matched |= inverted.get(key, set())
    if clause.modifier == "not" or clause.op == "ne":
        return candidates - matched
    return candidates & matched


def _reference(ev: Evaluation, rtype: str, pdef: ParamDef, clause: Clause, candidates: Ids) -> Ids:
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


def _organization_above(ev: Evaluation, clause: Clause, candidates: Ids) -> Ids:
    """ROR reading of `:above` (ror.md §1.8): the organisation or one of its `partOf` ancestors."""
    lineages = {o: ev.index.lineage(o) for o in candidates}
    pool = {a for chain in lineages.values() for a in chain if f"Organization/{a}" not in ev.hidden}
    hits = evaluate(ev, "Organization", Clause(clause.name, clause.values, (), "", clause.op), pool)
    return {o for o, chain in lineages.items() if hits.intersection(chain)}


def _has(ev: Evaluation, rtype: str, clause: Clause, candidates: Ids) -> Ids:
    source, ref_param = clause.has  # type: ignore[misc]
    if source not in PARAMS:
        raise SearchError(f"_has : type de ressource inconnu {source!r}")
    ref_def = definition(source, ref_param)
    if ref_def.type != "reference" or ref_def.target != rtype:
        raise SearchError(f"_has : {source}:{ref_param} ne référence pas {rtype}")
    nested = clause.inner_has
    inner = Clause(clause.name, clause.values, clause.chain, clause.modifier, clause.op,
                   has=nested[0] if nested else None, inner_has=nested[1:])
    sources = match_all(ev, source, [inner], None)
    column = ev.index.column(source, ref_def)
    targets = {normal_reference(ref).partition("/")[2] for sid in sources for ref in column.get(sid, ())}
    return candidates & targets


def _chained(ev: Evaluation, rtype: str, clause: Clause, candidates: Ids) -> Ids:
    link = definition(rtype, clause.chain[0])
    if link.type != "reference":
        raise SearchError(f"chaînage impossible : {clause.chain[0]!r} n'est pas une référence de {rtype}")
    column = ev.index.column(rtype, link)
    prefix = link.target + "/"
    above = clause.modifier == "above" and len(clause.chain) == 1
    if above and link.target != "Organization":
        raise SearchError(":above n'est pris en charge que sur la hiérarchie des organisations")
    inner = Clause(clause.name, clause.values, clause.chain[1:], "" if above else clause.modifier, clause.op)
    geographic = not inner.chain and inner.name in ("near", "near-insee-code")
    if geographic and not above and not inner.modifier and inner.op in ("", "eq"):
        fast = chained_near(ev, rtype, link, inner, candidates)
        if fast is not None:
            return fast
    if geographic and len(candidates) > LARGE_SET:
        pool: Any = ev.visible(link.target)  # the spatial grid of the index does the narrowing
    else:
        pool = {ref[len(prefix):] for rid in candidates for ref in column.get(rid, ()) if ref.startswith(prefix)}
    if above:
        lineages = {t: ev.index.lineage(t) for t in pool}
        ancestors = {o for chain in lineages.values() for o in chain if f"Organization/{o}" not in ev.hidden}
        hits = evaluate(ev, link.target, inner, ancestors)
        matched: Ids = {t for t, chain in lineages.items() if hits.intersection(chain)}
    else:
        matched = evaluate(ev, link.target, inner, {t for t in pool if prefix + t not in ev.hidden}
                           if ev.hidden and not isinstance(pool, frozenset) else pool)
    if len(matched) < len(candidates):
        reverse = ev.index.referrers(rtype, link)
        found: set[str] = set()
        for target in matched:
            found.update(reverse.get(prefix + target, ()))
        return found & candidates if not isinstance(candidates, frozenset) else candidates & found
    return {rid for rid in candidates if any(ref.startswith(prefix) and ref[len(prefix):] in matched
                                             for ref in column.get(rid, ()))}


# --- value comparisons ---------------------------------------------------------------------------------
# --- same-entry capacity semantics (optional) -----------------------------------------------------------
def _split_capacity_groups(rtype: str, clauses: list[Clause]) -> tuple[list[Clause], dict[tuple, list[Clause]]]:
    rest: list[Clause] = []
    groups: dict[tuple, list[Clause]] = {}
    for clause in clauses:
        target = _chain_target(rtype, clause.chain)
        pdef = PARAMS.get(target or "", {}).get(clause.name)
        if pdef is not None and pdef.capacity and not clause.modifier and clause.has is None:
            groups.setdefault(clause.chain, []).append(clause)
        else:
            rest.append(clause)
    return rest, groups


def _chain_target(rtype: str, chain: tuple[str, ...]) -> str | None:
    current = rtype
    for link in chain:
        pdef = PARAMS.get(current, {}).get(link)
        if pdef is None or pdef.type != "reference":
            return None
        current = pdef.target
    return current


def _chained_group(ev: Evaluation, rtype: str, chain: tuple[str, ...], group: list[Clause],
                   candidates: Ids) -> Ids:
    if not chain:
        preds = [(c.name, value_predicate(definition(rtype, c.name), c) if definition(rtype, c.name).type != "token"
                  else token_test(c)) for c in group]
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
    visible = {t for t in targets if prefix + t not in ev.hidden}
    matched = _chained_group(ev, link.target, chain[1:], group, visible)
    return {rid for rid in candidates
            if any(r.startswith(prefix) and r[len(prefix):] in matched for r in column.get(rid, ()))}
