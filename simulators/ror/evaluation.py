"""The state of one ROR search, shared by the search engine (search.py) and the geographic criteria (geo.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from simulators.ror.grid import Centre, best_distance
from simulators.ror.index import SessionIndex

Member = Callable[[str], bool]
Ids = set[str] | frozenset[str]  # resource ids: the visible ones (a cached frozenset) or what a clause kept (a set)


class Distances(Mapping[str, float]):
    """"Type/id" -> km of the places a geographic criterion matched, computed when asked (a page
    shows 20 places; a 20 km search around Paris matches thousands). Each criterion records the
    places it matched (a set, or a test); as with the former eager dict, the last criterion that
    matched a place gives its distance."""

    def __init__(self, index: SessionIndex) -> None:
        self.index = index
        self._records: list[tuple[str, list[Centre], dict, Member, Callable[[], set[str]]]] = []

    def record(self, rtype: str, centres: list[Centre], column: dict, member: Member,
               universe: Callable[[], set[str]]) -> None:
        self._records.append((rtype, centres, column, member, universe))

    def get(self, key: str, default: float | None = None) -> float | None:  # type: ignore[override]
        rtype, _, rid = key.partition("/")
        for rec_type, centres, column, member, _ in reversed(self._records):
            if rec_type == rtype and member(rid):
                best = best_distance(centres, column.get(rid, ()))
                if best is not None:
                    return round(best, 2)
        return default

    def __getitem__(self, key: str) -> float:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        keys = {f"{rec[0]}/{rid}" for rec in self._records for rid in rec[4]()}
        return iter(sorted(k for k in keys if self.get(k) is not None))

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class Evaluation:
    """State of one search: distances found by geographic criteria, keyed by "Location/id"."""

    index: SessionIndex
    hidden: frozenset[str] = frozenset()
    same_entry_capacity: bool = False
    distances: Distances = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.distances is None:
            self.distances = Distances(self.index)

    def visible(self, rtype: str) -> frozenset[str]:
        return self.index.visible_ids(rtype, self.hidden)
