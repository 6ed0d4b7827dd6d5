"""Typed comparisons of search values (ror.md §1.7, §6): prefixes `eq ne gt lt ge le sa eb ap` on
numbers, quantities (age in years, whatever the unit system: ror.md §1.12 item 4) and dates, string
matching (prefix by default, `:exact`, `:contains`, `_filter` `co sw ew`), token keys.
"""

from __future__ import annotations

import re
from typing import Any

from simulators.fhir import dates as fhirdates
from simulators.fhir.errors import SearchError
from simulators.fhir.syntax import Clause
from simulators.fhir.values import ParamDef, normalise

PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
_NUMBER_RE = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(-?\d{1,12}(?:\.\d{1,12})?)$")
_YEARS = {"a", "an", "ans", "year", "years", "yr", "[y]", "annee", "annees"}
_FILTER_STRING_OPS = {"eq", "ne", "co", "sw", "ew"}


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


def value_predicate(pdef: ParamDef, clause: Clause) -> Any:
    tests = [_single_predicate(pdef, clause, raw) for raw in clause.values]
    if len(tests) == 1:
        return tests[0]
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


def token_test(clause: Clause) -> Any:
    keys = [token_key(raw, False, clause.name) for raw in clause.values]

    def test(value: tuple[str, str]) -> bool:
        return any((k[0] in ("*", value[0])) and (k[1] in ("*", value[1])) for k in keys)
    return test
