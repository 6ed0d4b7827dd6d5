"""`_include` / `_revinclude` (with `:iterate`) over any server's data, with the order HAPI applies
and the ROR documents in its canonical request (ror.md §0): reverse includes of the matches first,
then forward includes of the matches *and* of what the reverse includes brought (so
`_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner` brings the
practitioners), then `:iterate` specs until nothing new appears.

The server supplies three functions: `resolve("Type/id")`, `forward(resource, spec)` (the references
the spec follows out of a resource) and `reverse(resource, spec)` (the "Type/id" of the resources
whose spec parameter points at it).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from simulators.fhir.syntax import IncludeSpec
from simulators.fhir.values import normal_reference

Resource = dict[str, Any]
MAX_INCLUDED = 5000
MAX_ITERATIONS = 8


def collect_includes(matches: list[Resource], specs: list[IncludeSpec], *,
                     resolve: Callable[[str], Resource | None],
                     forward: Callable[[Resource, IncludeSpec], list[str]],
                     reverse: Callable[[Resource, IncludeSpec], list[str]],
                     hidden: Collection[str] = (), limit: int = MAX_INCLUDED) -> list[Resource]:
    seen = {f"{r['resourceType']}/{r['id']}" for r in matches}
    included: dict[str, Resource] = {}

    def add(ref: str) -> bool:
        if ref in seen or ref in hidden or len(included) >= limit:
            return False
        resource = resolve(ref)
        if resource is None:
            return False
        seen.add(ref)
        included[ref] = resource
        return True

    def apply(spec: IncludeSpec, pool: list[Resource]) -> bool:
        grew = False
        for resource in pool:
            if spec.reverse:
                for ref in reverse(resource, spec):
                    grew |= add(ref)
            elif spec.source in ("*", resource["resourceType"]):
                for ref in forward(resource, spec):
                    grew |= add(normal_reference(ref))
        return grew

    for spec in [s for s in specs if s.reverse and not s.iterate]:
        apply(spec, matches)
    first_pass = list(included.values())
    for spec in [s for s in specs if not s.reverse and not s.iterate]:
        apply(spec, matches + first_pass)
    iterating = [s for s in specs if s.iterate]
    for _ in range(MAX_ITERATIONS if iterating else 0):
        if not any(apply(spec, matches + list(included.values())) for spec in iterating):
            break
    return list(included.values())
