"""Searchset Bundles whose JSON is assembled from entries serialised once per resource version.

A page of 20 offers with their places and providers is ~130 kB of JSON; most of it is the same
resources, shown to the same access profile, again and again. `Presented` keeps, per index (so a
write, a reset or another replica's change, which all drop the index, drop it too), the resource
as a profile receives it and its JSON bytes. `RenderedBundle` is the Bundle dict the engine always
returned (read by the journal summary, the XML writer, the tests) plus the entries' bytes; its
`to_json()` is byte-identical to `json.dumps` of the dict (tests/ror/test_rendered.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from json.encoder import encode_basestring  # what dumps() applies to a str (ensure_ascii=False)

from simulators.fhir.bundle import dumps

MAX_PRESENTED = 20_000  # (profile, resource) pairs kept per index; the oldest half goes when full
Resource = dict[str, Any]


class Presented:
    """(profile, "Type/id") -> (resource as the profile sees it, its JSON bytes), bounded."""

    def __init__(self, limit: int = MAX_PRESENTED) -> None:
        self.limit = limit
        self._items: dict[tuple[int, str], tuple[Resource, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, profile: int, ref: str, resource: Resource,
            present: Callable[[Resource], Resource]) -> tuple[Resource, bytes]:
        key = (profile, ref)
        found = self._items.get(key)
        if found is None:
            shown = present(resource)
            found = (shown, dumps(shown))
            with self._lock:
                if len(self._items) >= self.limit:
                    for old in list(self._items)[: self.limit // 2]:
                        self._items.pop(old, None)
                self._items[key] = found
        return found

    def __len__(self) -> int:
        return len(self._items)


_MODES = {"match": b'{"mode":"match"}', "include": b'{"mode":"include"}'}  # dumps of the usual search parts


def entry_json(full_url: str, resource_json: bytes, search: dict[str, Any]) -> bytes:
    """`dumps(fhir.bundle.entry(...))` with the resource already serialised (same key order)."""
    mode = search.get("mode") if len(search) == 1 else None
    part = _MODES.get(mode) if isinstance(mode, str) else None
    return b"".join((b'{"fullUrl":', encode_basestring(full_url).encode("utf-8"), b',"resource":', resource_json,
                     b',"search":', part or dumps(search), b"}"))


class RenderedBundle(dict[str, Any]):
    """A searchset Bundle (a plain dict for every reader) with its entries' JSON bytes."""

    def __init__(self, bundle: dict[str, Any], entries_json: list[bytes]) -> None:
        super().__init__(bundle)
        self.entries_json = entries_json

    def to_json(self) -> bytes:
        entries = self.get("entry") or []
        if not entries:
            return dumps(self)
        if next(reversed(self)) != "entry" or len(entries) != len(self.entries_json):
            return dumps(dict(self))  # not the shape the bytes were made for: serialise it all
        head = dumps({k: v for k, v in self.items() if k != "entry"})
        return b"".join((head[:-1], b',"entry":[', b",".join(self.entries_json), b"]}"))
