"""Names and values of FHIR search parameters, without any knowledge of the data.

`location.near`, `organization.type:above`, `_has:PractitionerRole:service:practitioner.identifier`
become `Clause`s; `_include` values become `IncludeSpec`s; comma alternatives are split with the
`\\,` escape of the specification. Limits keep hostile queries cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from simulators.fhir.errors import SearchError

MAX_PARAMS = 64
MAX_VALUE_CHARS = 4096
MAX_OR_VALUES = 200
MAX_HAS_DEPTH = 3
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
MODIFIERS = {"above", "below", "exact", "contains", "missing", "of-type", "not", "text", "iterate", "in",
             "not-in", "identifier", "type",
             "family", "given"}  # `name:family=…` is a documented Annuaire Santé idiom (practitioner.md)


@dataclass(frozen=True)
class Clause:
    """One search criterion: `chain` are reference parameters walked first (`location`), `name` the
    parameter on the last type, `values` the comma-separated alternatives (OR), `op` the `_filter`
    operator when the clause comes from a filter expression, `has` the reverse chain
    `_has:<Type>:<reference param>` (its inner criterion is this clause's name/chain/modifier, and
    may itself carry a nested `_has` in `inner_has`)."""

    name: str
    values: tuple[str, ...]
    chain: tuple[str, ...] = ()
    modifier: str = ""
    op: str = ""
    has: tuple[str, str] | None = None
    inner_has: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        path = ".".join((*self.chain, self.name))
        if self.modifier:
            path = f"{path}:{self.modifier}"
        for source, param in reversed(((self.has,) if self.has else ()) + self.inner_has):
            path = f"_has:{source}:{param}:{path}"
        return path


@dataclass(frozen=True)
class IncludeSpec:
    source: str
    param: str
    target: str = ""
    iterate: bool = False
    reverse: bool = False

    @property
    def label(self) -> str:
        kind = "_revinclude" if self.reverse else "_include"
        return f"{kind}{':iterate' if self.iterate else ''}={self.source}:{self.param}"


def parse_query(query: str) -> list[tuple[str, str]]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_PARAMS)
    except ValueError as exc:
        raise SearchError(f"requête trop complexe : au plus {MAX_PARAMS} paramètres") from exc
    for key, value in pairs:
        if len(value) > MAX_VALUE_CHARS or len(key) > 256:
            raise SearchError(f"valeur trop longue pour le paramètre {key[:60]!r}")
    return pairs


def split_or(value: str) -> tuple[str, ...]:
    """Comma-separated alternatives; `\\,` is a literal comma."""
    if "\\" not in value:  # no escape: a plain split gives what the scan below gives
        plain = value.split(",")
        if len(plain) > MAX_OR_VALUES:
            raise SearchError(f"trop de valeurs alternatives (au plus {MAX_OR_VALUES})")
        return tuple(plain)
    parts, current, escaped = [], [], False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    if len(parts) > MAX_OR_VALUES:
        raise SearchError(f"trop de valeurs alternatives (au plus {MAX_OR_VALUES})")
    return tuple(parts)


def parse_name(key: str) -> Clause:
    """`location.near`, `organization.type:above`, `_has:PractitionerRole:service:role`,
    `_has:PractitionerRole:service:practitioner.identifier` -> Clause (with no values yet)."""
    if key.startswith("_has:"):
        hops: list[tuple[str, str]] = []
        rest = key
        while rest.startswith("_has:"):
            parts = rest.split(":", 3)
            if len(parts) < 4 or not all(NAME_RE.match(p) for p in parts[1:3]) or not parts[3]:
                raise SearchError(f"paramètre _has mal formé : {key!r} (attendu _has:Type:référence:paramètre)")
            hops.append((parts[1], parts[2]))
            rest = parts[3]
            if len(hops) > MAX_HAS_DEPTH:
                raise SearchError(f"_has : au plus {MAX_HAS_DEPTH} niveaux")
        inner = parse_name(rest)
        return Clause(inner.name, (), inner.chain, inner.modifier, has=hops[0], inner_has=tuple(hops[1:]))
    path, _, modifier = key.partition(":")
    if modifier and modifier not in MODIFIERS and not (modifier[:1].isupper() and NAME_RE.match(modifier)):
        raise SearchError(f"modificateur inconnu :{modifier} sur {path!r}")
    links = path.split(".")
    for link in links:
        if not NAME_RE.match(link):
            raise SearchError(f"nom de paramètre invalide : {key!r}")
    return Clause(links[-1], (), tuple(links[:-1]), modifier)


def parse_include(value: str, *, iterate: bool, reverse: bool) -> IncludeSpec:
    if value == "*":
        return IncludeSpec("*", "*", "", iterate, reverse)
    parts = value.split(":")
    if len(parts) not in (2, 3) or not all(NAME_RE.match(p) or p == "*" for p in parts):
        raise SearchError(f"valeur de {'_revinclude' if reverse else '_include'} invalide : {value!r} "
                          "(attendu Type:paramètre)")
    return IncludeSpec(parts[0], parts[1], parts[2] if len(parts) == 3 else "", iterate, reverse)
