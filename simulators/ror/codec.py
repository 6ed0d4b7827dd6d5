"""Sans-IO FHIR codec for the ROR API: query strings in, `SearchRequest` out; resources, Bundles and
OperationOutcomes out as JSON bytes.

Parsing is two steps, as everywhere in the bench: the query string becomes `Clause`s and control
parameters here (syntax only, no knowledge of the data), then `search.py` types each value against
the parameter definitions. Every syntax problem is a `SearchError`, which the server renders as a
400 OperationOutcome; limits on sizes keep hostile queries cheap.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from simulators.ror.model import PAGE_MAX

MAX_PARAMS = 64
MAX_VALUE_CHARS = 4096
MAX_OR_VALUES = 200
CONTROL = {"_include", "_revinclude", "_count", "_sort", "_elements", "_total", "_summary", "_format",
           "_pretty", "_getpages", "_getpagesoffset", "_bundletype", "_offset", "_filter"}
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_MODIFIERS = {"above", "below", "exact", "contains", "missing", "of-type", "not", "text", "iterate"}


class SearchError(Exception):
    """A request the server refuses; `status` and a French message for the OperationOutcome."""

    def __init__(self, message: str, status: int = 400, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Clause:
    """One search criterion: `chain` are reference parameters walked first (`location`), `name` the
    parameter on the last type, `values` the comma-separated alternatives (OR), `op` the `_filter`
    operator when the clause comes from a filter expression."""

    name: str
    values: tuple[str, ...]
    chain: tuple[str, ...] = ()
    modifier: str = ""
    op: str = ""
    has: tuple[str, str] | None = None  # _has:<Type>:<reference param>

    @property
    def label(self) -> str:
        path = ".".join((*self.chain, self.name))
        return f"{path}:{self.modifier}" if self.modifier else path


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


@dataclass
class SearchRequest:
    clauses: list[Clause] = field(default_factory=list)
    filter: Any = None  # filtercodec node
    includes: list[IncludeSpec] = field(default_factory=list)
    count: int = PAGE_MAX
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (param, descending)
    elements: tuple[str, ...] = ()
    summary_count: bool = False
    offset: int = 0
    page_token: str = ""

    def describe(self) -> dict[str, Any]:
        """Small summary for the journal and the conformance checks."""
        return {"criteria": [c.label for c in self.clauses],
                "values": {c.label: list(c.values) for c in self.clauses},
                "includes": [i.label for i in self.includes], "count": self.count,
                "filter": self.filter is not None}


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
    """`location.near`, `organization.type:above`, `_has:PractitionerRole:service:role` -> Clause
    (with no values yet)."""
    if key.startswith("_has:"):
        parts = key.split(":")
        if len(parts) < 4 or not all(_NAME_RE.match(p) for p in parts[1:4]):
            raise SearchError(f"paramètre _has mal formé : {key!r} (attendu _has:Type:référence:paramètre)")
        inner = parse_name(":".join(parts[3:]))
        return Clause(inner.name, (), inner.chain, inner.modifier, has=(parts[1], parts[2]))
    path, _, modifier = key.partition(":")
    if modifier and modifier not in _MODIFIERS:
        raise SearchError(f"modificateur inconnu :{modifier} sur {path!r}")
    links = path.split(".")
    for link in links:
        if not _NAME_RE.match(link):
            raise SearchError(f"nom de paramètre invalide : {key!r}")
    return Clause(links[-1], (), tuple(links[:-1]), modifier)


def parse_include(value: str, *, iterate: bool, reverse: bool) -> IncludeSpec:
    parts = value.split(":")
    if len(parts) not in (2, 3) or not all(_NAME_RE.match(p) or p == "*" for p in parts):
        raise SearchError(f"valeur de {'_revinclude' if reverse else '_include'} invalide : {value!r} "
                          "(attendu Type:paramètre)")
    return IncludeSpec(parts[0], parts[1], parts[2] if len(parts) == 3 else "", iterate, reverse)


def parse_search(pairs: list[tuple[str, str]]) -> SearchRequest:
    """Syntax of a search-type request; the semantic checks (known names, value types) follow."""
    from simulators.ror.filtercodec import parse_filter

    request = SearchRequest()
    for key, value in pairs:
        base, _, modifier = key.partition(":")
        if base in ("_include", "_revinclude"):
            if modifier not in ("", "iterate", "recurse"):
                raise SearchError(f"modificateur inconnu sur {base} : {modifier!r}")
            for part in split_or(value):
                request.includes.append(parse_include(part, iterate=bool(modifier), reverse=base == "_revinclude"))
        elif key == "_count":
            request.count = _int(value, key, 0)
        elif key in ("_offset", "_getpagesoffset"):
            request.offset = _int(value, key, 0)
        elif key == "_getpages":
            request.page_token = value
        elif key == "_sort":
            request.sort = [(p.lstrip("-"), p.startswith("-")) for p in value.split(",") if p]
        elif key == "_elements":
            request.elements = tuple(e.strip() for e in value.split(",") if e.strip())
        elif key == "_summary":
            if value != "count":
                raise SearchError("_summary : seule la valeur « count » est prise en charge")
            request.summary_count = True
        elif key == "_total":
            if value not in ("none", "estimate", "accurate"):
                raise SearchError(f"_total invalide : {value!r}")
        elif key == "_format":
            if value not in ("json", "application/json", "application/fhir+json"):
                raise SearchError(f"format non pris en charge : {value!r} (JSON uniquement)", status=406)
        elif key in ("_pretty", "_bundletype"):
            continue
        elif key == "_filter":
            node = parse_filter(value)
            request.filter = node if request.filter is None else ("and", [request.filter, node])
        elif key.startswith("_") and key not in ("_id", "_lastUpdated", "_tag", "_content") \
                and not key.startswith("_has:"):
            raise SearchError(f"paramètre de contrôle inconnu : {key!r}")
        else:
            clause = parse_name(key)
            if not value and clause.modifier != "missing":
                raise SearchError(f"valeur vide pour le paramètre {key!r}")
            request.clauses.append(Clause(clause.name, split_or(value), clause.chain, clause.modifier,
                                          has=clause.has))
    request.count = min(request.count, PAGE_MAX)
    return request


def _int(value: str, key: str, minimum: int) -> int:
    if not value.isdigit() or len(value) > 18:
        raise SearchError(f"{key} doit être un entier positif, obtenu {value[:40]!r}")
    number = int(value)
    if number < minimum:
        raise SearchError(f"{key} doit être au moins {minimum}")
    return number


# --- rendering ------------------------------------------------------------------------------------
def dumps(resource: Any) -> bytes:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads_resource(body: bytes) -> dict[str, Any]:
    """A resource posted by a vendor through the admin API."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SearchError(f"JSON invalide : {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise SearchError("ressource FHIR attendue (objet JSON avec resourceType)")
    return data


def operation_outcome(message: str, *, code: str = "invalid", severity: str = "error") -> dict[str, Any]:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": message}]}


def searchset(*, total: int, entries: list[dict[str, Any]], links: list[tuple[str, str]],
              bundle_id: str, last_updated: str) -> dict[str, Any]:
    bundle: dict[str, Any] = {"resourceType": "Bundle", "id": bundle_id, "meta": {"lastUpdated": last_updated},
                              "type": "searchset", "total": total}
    if links:
        bundle["link"] = [{"relation": rel, "url": url} for rel, url in links]
    if entries:
        bundle["entry"] = entries
    return bundle
