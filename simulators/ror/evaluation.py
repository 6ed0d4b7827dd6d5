"""The state of one ROR search, shared by the search engine (search.py) and the geographic criteria (geo.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulators.ror.index import SessionIndex

Ids = set[str] | frozenset[str]  # resource ids: the visible ones (a cached frozenset) or what a clause kept (a set)


@dataclass
class Evaluation:
    """State of one search: distances found by geographic criteria, keyed by "Location/id"."""

    index: SessionIndex
    hidden: frozenset[str] = frozenset()
    same_entry_capacity: bool = False
    distances: dict[str, float] = field(default_factory=dict)

    def visible(self, rtype: str) -> frozenset[str]:
        return self.index.visible_ids(rtype, self.hidden)
