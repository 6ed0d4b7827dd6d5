"""FHIR `_sort` (search §3.2.2.1) over in-memory results: the first parameter is the primary key;
for each key the results that have a value come first, in order (reversed for `-param`), and those
without it follow in their previous order. Sans-IO: the caller says how to read a result's key."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

SortKey = Callable[[T], Any]  # the value to order by, or None when the result has none


def sort_results(results: Sequence[T], keys: Sequence[tuple[SortKey, bool]]) -> list[T]:
    """`keys`: (key, descending) in `_sort` order. Stable: applied from the last key to the first."""
    ordered = list(results)
    for key, descending in reversed(keys):
        valued = [(value, item) for item in ordered if (value := key(item)) is not None]
        missing = [item for item in ordered if key(item) is None]
        valued.sort(key=lambda pair: pair[0], reverse=descending)
        ordered = [item for _, item in valued] + missing
    return ordered
