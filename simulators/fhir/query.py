"""A search-type request, parsed: criteria, `_filter`, includes and the result parameters
(`_count`, `_sort`, `_elements`, `_summary`, `_total`, `_format`, paging).

Unknown parameters follow a `Handling` policy, because real servers differ and clients depend on it:
- ``hapi``: HAPI FHIR 6.x (the ROR's server): an unknown `_`-prefixed parameter is ignored, an unknown
  parameter name is refused with HAPI's "HAPI-0524: Unknown search parameter" 400;
- ``lenient``: FHIR R4 search §"Unknown and unsupported parameters" (`Prefer: handling=lenient`): ignored;
- ``strict``: `Prefer: handling=strict`: every unknown parameter is refused;
- ``gateway``: the Annuaire Santé gateway: an unknown parameter name is refused with
  "Parameter <name> not found" (mss.md §5.3), unknown `_`-prefixed ones are ignored as by HAPI behind it.
Ignored parameters are listed in `SearchRequest.ignored` (and left out of the self link).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from simulators.fhir.errors import SearchError
from simulators.fhir.filter import parse_filter
from simulators.fhir.syntax import Clause, IncludeSpec, parse_include, parse_name, split_or

HANDLINGS = ("hapi", "lenient", "strict", "gateway")
RESULT_PARAMS = {"_include", "_revinclude", "_count", "_sort", "_elements", "_total", "_summary", "_format",
                 "_pretty", "_getpages", "_getpagesoffset", "_bundletype", "_offset", "_filter", "_page", "id"}
SEARCH_UNDERSCORE = {"_id", "_lastUpdated", "_tag", "_content", "_profile", "_security", "_source", "_text"}
SUMMARY_VALUES = ("true", "false", "text", "data", "count")


@dataclass
class SearchRequest:
    clauses: list[Clause] = field(default_factory=list)
    filter: Any = None  # filter node (see simulators.fhir.filter)
    includes: list[IncludeSpec] = field(default_factory=list)
    count: int = 0
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (param, descending)
    elements: tuple[str, ...] = ()
    summary: str = ""
    total: str = ""
    format: str = ""
    offset: int = 0
    page_token: str = ""
    ignored: list[str] = field(default_factory=list)

    @property
    def summary_count(self) -> bool:
        return self.summary == "count"

    def describe(self) -> dict[str, Any]:
        """Small summary for the journal and the conformance checks."""
        described = {"criteria": [c.label for c in self.clauses],
                     "values": {c.label: list(c.values) for c in self.clauses},
                     "includes": [i.label for i in self.includes], "count": self.count,
                     "filter": self.filter is not None}
        if self.ignored:
            described["ignored"] = list(self.ignored)
        return described


def without_params(url: str, names: list[str]) -> str:
    """The self link of a search that ignored some parameters: the URL without them (FHIR R4 search
    §"Unknown and unsupported parameters": the self link says what was actually used)."""
    if not names:
        return url
    base, _, query = url.partition("?")
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in set(names)]
    return f"{base}?{urlencode(kept)}" if kept else base


def prefer_handling(prefer: str, default: str) -> str:
    """`Prefer: handling=strict|lenient` (RFC 7240, several preferences comma-separated)."""
    for part in prefer.replace(";", ",").split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "handling" and value.strip().strip('"').lower() in ("strict", "lenient"):
            return value.strip().strip('"').lower()
    return default


def unknown_parameter(name: str, rtype: str, handling: str, known: list[str]) -> SearchError | None:
    """The error for an unknown parameter under `handling`, or None when it is ignored."""
    underscore = name.startswith("_")
    if handling == "lenient" or (underscore and handling in ("hapi", "gateway")):
        return None
    if handling == "gateway":
        return SearchError(f"Parameter {name} not found", code="not-supported")
    return SearchError(f'HAPI-0524: Unknown search parameter "{name}" for resource type "{rtype}". '
                       f"Valid search parameters for this search are: [{', '.join(sorted(known))}]",
                       code="processing")


def parse_search(pairs: list[tuple[str, str]], *, page_max: int, default_count: int | None = None,
                 rtype: str = "", known: Callable[[str], bool] | None = None, handling: str = "strict",
                 known_names: Callable[[], list[str]] = list) -> SearchRequest:
    """Syntax of a search-type request. `known(name)` says whether a (first-link) parameter name
    exists for `rtype`; unknown ones follow `handling` (module docstring)."""
    request = SearchRequest(count=default_count or page_max)
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
        elif key in ("_getpages", "_page", "id") and (key != "id" or not known or not known("id")):
            request.page_token = value
        elif key == "_sort":
            request.sort = [(p.lstrip("-"), p.startswith("-")) for p in value.split(",") if p]
        elif key == "_elements":
            request.elements = tuple(e.strip() for e in value.split(",") if e.strip())
        elif key == "_summary":
            if value not in SUMMARY_VALUES:
                raise SearchError(f"_summary invalide : {value!r} (attendu {', '.join(SUMMARY_VALUES)})")
            request.summary = value
        elif key == "_total":
            if value not in ("none", "estimate", "accurate"):
                raise SearchError(f"_total invalide : {value!r}")
            request.total = value
        elif key == "_format":
            request.format = value
        elif key in ("_pretty", "_bundletype"):
            continue
        elif key == "_filter":
            node = parse_filter(value)
            request.filter = node if request.filter is None else ("and", [request.filter, node])
        else:
            head = key.split(":")[0].split(".")[0]
            if known is not None and head != "_has" and not known(head):
                error = unknown_parameter(head, rtype, handling, known_names())
                if error is not None:
                    raise error
                request.ignored.append(key)
                continue
            clause = parse_name(key)
            if not value and clause.modifier != "missing":
                raise SearchError(f"valeur vide pour le paramètre {key!r}")
            request.clauses.append(Clause(clause.name, split_or(value), clause.chain, clause.modifier,
                                          has=clause.has, inner_has=clause.inner_has))
    request.count = min(request.count, page_max)
    return request


def _int(value: str, key: str, minimum: int) -> int:
    if not value.isdigit() or len(value) > 18:
        raise SearchError(f"{key} doit être un entier positif, obtenu {value[:40]!r}")
    number = int(value)
    if number < minimum:
        raise SearchError(f"{key} doit être au moins {minimum}")
    return number
