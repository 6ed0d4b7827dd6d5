"""Parameter tables of a FHIR server: each search parameter's type and the function that pulls its
indexed values out of a resource, plus the small accessors those functions are written with.

Indexed values are plain Python: token -> (system, code) tuples (identifiers also (type system,
type code, value) for `:of-type`), string -> normalised text, number -> float, quantity ->
(value, unit code), date -> (lowest, highest) epoch seconds, reference -> "Type/id".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulators.fhir import dates as fhirdates

Extractor = Callable[[dict[str, Any]], list[Any]]


@dataclass(frozen=True)
class ParamDef:
    name: str
    type: str  # token | string | number | date | quantity | reference | special
    extract: Extractor
    target: str = ""  # reference target type
    capacity: bool = False  # a sub-extension of ror-location-supported-capacity


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def extensions(node: dict[str, Any], url: str) -> list[dict[str, Any]]:
    return [e for e in node.get("extension") or () if isinstance(e, dict) and e.get("url") == url]


def codings(concept: Any) -> list[tuple[str, str]]:
    if not isinstance(concept, dict):
        return []
    return [(c.get("system") or "", str(c.get("code") or "")) for c in concept.get("coding") or ()
            if isinstance(c, dict) and c.get("code") is not None]


def concepts(values: Any) -> list[tuple[str, str]]:
    return [t for concept in values or () for t in codings(concept)]


def sub_values(url: str, sub: str, key: str) -> Callable[[dict[str, Any]], list[Any]]:
    def pull(resource: dict[str, Any]) -> list[Any]:
        return [s.get(key) for e in extensions(resource, url) for s in extensions(e, sub) if s.get(key) is not None]
    return pull


def sub_tokens(url: str, sub: str) -> Extractor:
    pull = sub_values(url, sub, "valueCodeableConcept")
    return lambda r: [t for cc in pull(r) for t in codings(cc)]


def identifiers(resource: dict[str, Any]) -> list[tuple[str, ...]]:
    result: list[tuple[str, ...]] = []
    for ident in resource.get("identifier") or ():
        if not isinstance(ident, dict) or ident.get("value") is None:
            continue
        value = str(ident["value"])
        result.append((ident.get("system") or "", value))
        for ts, tc in codings(ident.get("type")):
            result.append((ts, tc, value))
    return result


def reference(field: str) -> Extractor:
    def pull(resource: dict[str, Any]) -> list[str]:
        raw = resource.get(field)
        items = raw if isinstance(raw, list) else [raw] if raw else []
        return [normal_reference(i.get("reference", "")) for i in items if isinstance(i, dict) and i.get("reference")]
    return pull


def normal_reference(ref: str) -> str:
    """`https://host/base/Organization/1/_history/2` -> `Organization/1`."""
    if ref.count("/") == 1 and ref[0] != "/" and ref[-1] != "/":  # already `Type/id`
        return ref
    parts = [p for p in ref.split("/_history/")[0].split("/") if p]
    return "/".join(parts[-2:]) if len(parts) >= 2 else ref


def strings(*fields: str) -> Extractor:
    def pull(resource: dict[str, Any]) -> list[str]:
        out: list[str] = []
        for name in fields:
            value = resource.get(name)
            out.extend(normalise(item) for item in (value if isinstance(value, list) else [value])
                       if isinstance(item, str))
        return out
    return pull


def date_of(value: Any) -> list[tuple[float, float]]:
    if not isinstance(value, str):
        return []
    try:
        return [fhirdates.parse_range(value)]
    except ValueError:
        return []


def period_of(period: Any) -> list[tuple[float, float]]:
    if not isinstance(period, dict):
        return []
    low = date_of(period.get("start"))
    high = date_of(period.get("end"))
    return [(low[0][0] if low else float("-inf"), high[0][1] if high else float("inf"))] if low or high else []
