"""Evaluation of a parsed search over the directory: FHIR token / string / date / reference / uri
semantics (shared predicates of `simulators.fhir`), one-level chains (`organization.name`), `_has`,
`_include` / `_revinclude` (with `*` and `:iterate`) and `_sort`. The directory is small (a session's
mailboxes and the world's establishments): a scan per clause is cheap and obviously right.
"""

from __future__ import annotations

from typing import Any

from simulators.fhir.errors import SearchError
from simulators.fhir.includes import collect_includes
from simulators.fhir.predicates import token_key, value_predicate
from simulators.fhir.sorting import SortKey, sort_results
from simulators.fhir.syntax import Clause, IncludeSpec
from simulators.fhir.values import ParamDef, normal_reference, normalise

from .params import INCLUDES, PARAMS
from .resources import Directory

MAX_INCLUDED = 2000


def definition(rtype: str, name: str) -> ParamDef:
    pdef = PARAMS.get(rtype, {}).get(name)
    if pdef is None:
        raise SearchError(f"Parameter {name} not found", code="not-supported")
    return pdef


def _token(pdef: ParamDef, clause: Clause, resource: dict[str, Any]) -> bool:
    values = pdef.extract(resource)
    of_type = clause.modifier == "of-type"
    hit = False
    for raw in clause.values:
        key = token_key(raw, of_type, clause.name)
        if of_type:
            hit = any(len(v) == 3 and ("of-type", *v) == key for v in values)
        else:
            hit = any(len(v) == 2 and key[0] in ("*", v[0]) and key[1] in ("*", v[1]) for v in values)
        if hit:
            break
    return not hit if clause.modifier == "not" else hit


def _string(pdef: ParamDef, clause: Clause, resource: dict[str, Any]) -> bool:
    values = pdef.extract(resource)
    if clause.modifier not in ("", "exact", "contains"):
        raise SearchError(f"modificateur :{clause.modifier} non applicable à {clause.name}")
    for raw in clause.values:
        if clause.modifier == "exact":
            if raw in values:
                return True
            continue
        needle = normalise(raw)
        for value in values:
            text = normalise(value)
            if (clause.modifier == "contains" and needle in text) or (not clause.modifier and text.startswith(needle)):
                return True
    return False


def _reference(pdef: ParamDef, clause: Clause, resource: dict[str, Any]) -> bool:
    refs = set(pdef.extract(resource))
    return any((normal_reference(v) if "/" in v else f"{pdef.target}/{v}") in refs for v in clause.values)


def matches(directory: Directory, rtype: str, clause: Clause, resource: dict[str, Any]) -> bool:
    if clause.has is not None:
        return _has(directory, rtype, clause, resource)
    if clause.chain:
        link = definition(rtype, clause.chain[0])
        if link.type != "reference":
            raise SearchError(f"chaînage impossible : {clause.chain[0]!r} n'est pas une référence")
        inner = Clause(clause.name, clause.values, clause.chain[1:], clause.modifier)
        targets = [directory.resolve(ref) for ref in link.extract(resource)]
        return any(t is not None and matches(directory, link.target, inner, t) for t in targets)
    if clause.name == "name" and clause.modifier in ("family", "given"):
        clause = Clause(clause.modifier, clause.values)  # `name:family=MASI` (practitioner.md)
    pdef = definition(rtype, clause.name)
    if clause.modifier == "missing":
        return (clause.values[0].lower() == "true") == (not pdef.extract(resource))
    if pdef.type == "token":
        return _token(pdef, clause, resource)
    if pdef.type == "string":
        return _string(pdef, clause, resource)
    if pdef.type == "reference":
        return _reference(pdef, clause, resource)
    if pdef.type == "uri":
        return any(v in pdef.extract(resource) for v in clause.values)
    predicate = value_predicate(pdef, clause)
    return any(predicate(v) for v in pdef.extract(resource))


def _has(directory: Directory, rtype: str, clause: Clause, resource: dict[str, Any]) -> bool:
    source, param = clause.has  # type: ignore[misc]
    link = definition(source, param) if source in PARAMS else None
    if link is None or link.type != "reference" or link.target != rtype:
        raise SearchError(f"_has : {source}:{param} ne référence pas {rtype}")
    inner = Clause(clause.name, clause.values, clause.chain, clause.modifier,
                   has=clause.inner_has[0] if clause.inner_has else None, inner_has=clause.inner_has[1:])
    me = f"{rtype}/{resource['id']}"
    return any(me in link.extract(other) and matches(directory, source, inner, other)
               for other in directory.resources.get(source, {}).values())


def search(directory: Directory, rtype: str, clauses: list[Clause],
           sort: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    for clause in clauses:  # validate names and values before scanning (errors even on an empty directory)
        if clause.has is None and not clause.chain:
            definition(rtype, clause.name)
    hits = [r for r in directory.resources.get(rtype, {}).values()
            if all(matches(directory, rtype, c, r) for c in clauses)]
    hits.sort(key=lambda r: r["id"])
    keys = [(_sort_key(rtype, name), descending) for name, descending in reversed(sort)]  # last one checked first
    return sort_results(hits, keys[::-1])


def _sort_key(rtype: str, name: str) -> SortKey:
    pdef = definition(rtype, name)
    if pdef.type == "reference":
        raise SearchError(f"_sort impossible sur {name}")

    def key(resource: dict[str, Any]) -> str | None:
        values = pdef.extract(resource)
        if not values:
            return None
        first = values[0]
        return str(first[-1] if isinstance(first, tuple) else first)
    return key


def check_includes(specs: list[IncludeSpec]) -> None:
    for spec in specs:
        if spec.source == "*" or spec.param == "*":
            continue
        if (spec.source, spec.param) not in INCLUDES:
            raise SearchError(f"{spec.label} : paramètre de référence inconnu")


def includes(directory: Directory, page: list[dict[str, Any]], specs: list[IncludeSpec]) -> list[dict[str, Any]]:
    def forward(resource: dict[str, Any], spec: IncludeSpec) -> list[str]:
        rtype = resource["resourceType"]
        names = [p for (t, p) in INCLUDES if t == rtype] if spec.param == "*" else [spec.param]
        return [ref for name in names if name in PARAMS[rtype] and PARAMS[rtype][name].type == "reference"
                for ref in PARAMS[rtype][name].extract(resource)]

    def reverse(resource: dict[str, Any], spec: IncludeSpec) -> list[str]:
        rtype, me = resource["resourceType"], f"{resource['resourceType']}/{resource['id']}"
        links = [(s, p) for (s, p), target in INCLUDES.items()
                 if target == rtype and (spec.source == "*" or (s, p) == (spec.source, spec.param))]
        return [f"{source}/{other['id']}" for source, param in links
                for other in directory.resources.get(source, {}).values() if me in PARAMS[source][param].extract(other)]

    return collect_includes(page, specs, resolve=directory.resolve, forward=forward, reverse=reverse,
                            limit=MAX_INCLUDED)
