"""ITI-18 answers assembled from cached, already serialised registry objects.

Building an ExtrinsicObject with lxml and serialising it was the largest cost of a FindDocuments
(docs/performance-notes.md, DMP). Each object is now serialised once, exactly as the codec writes it inside an
AdhocQueryResponse, and kept as bytes; a response is the envelope of an empty AdhocQueryResponse with
the fragments spliced into its RegistryObjectList. The output is byte for byte the one of the codec
(tests/dmp/test_fragments.py compares both on a varied set of objects).

A fragment is only reused for the very stored form it was built from: the cache key is the object's
id in the session, and the entry remembers the JSON row (document entry, submission set) or the
fields (association) it was rendered from; a different row — status change, new version, another
process writing the same PostgreSQL base — is a miss, then replaces the entry. The store also drops
fragments explicitly when it changes a status and when a session is reset, so memory follows the
registry. Size is bounded (least recently used first out).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from lxml import etree

from simulators.core.xmlsafe import to_bytes
from simulators.dmp.codec.ebrim import association_element, entry_element, object_ref, submission_set_elements
from simulators.dmp.codec.xds import RegistryErrorItem, adhoc_query_response
from simulators.dmp.model import Association, DocumentEntry, SubmissionSet

DEFAULT_MAX_BYTES = 64 * 1024 * 1024

# The empty object list as the codec serialises it, and the tags around a non-empty one: derived from the
# codec itself, so a change of prefix there changes them here.
_EMPTY = to_bytes(adhoc_query_response([]))
_LIST_EMPTY = _EMPTY[_EMPTY.rindex(b"<", 0, _EMPTY.rindex(b"</")):_EMPTY.rindex(b"</")]
assert _LIST_EMPTY.endswith(b"/>"), _EMPTY
_LIST_OPEN = _LIST_EMPTY[:-2] + b">"
_LIST_CLOSE = b"</" + _LIST_EMPTY[1:-2] + b">"


def serialise(elements: Sequence[etree._Element]) -> bytes:
    """The bytes `elements` take inside the RegistryObjectList of an AdhocQueryResponse (uncached)."""
    if not elements:
        return b""
    data = to_bytes(adhoc_query_response(list(elements)))
    start = data.index(_LIST_OPEN) + len(_LIST_OPEN)
    return data[start:data.rindex(_LIST_CLOSE)]


def splice(envelope: bytes, fragments: Sequence[bytes]) -> bytes:
    """`envelope` holds an AdhocQueryResponse built with no object: put `fragments` in its object list."""
    if not fragments:
        return envelope
    at = envelope.rindex(_LIST_EMPTY)  # the list is the last child of the response, the body the last part
    return b"".join((envelope[:at], _LIST_OPEN, *fragments, _LIST_CLOSE, envelope[at + len(_LIST_EMPTY):]))


def response_objects(errors: list[RegistryErrorItem] | None = None) -> etree._Element:
    """The AdhocQueryResponse whose serialised envelope `splice` fills."""
    return adhoc_query_response([], errors)


def _assoc_version(a: Association) -> str:
    return json.dumps([a.type, a.source, a.target, a.status, a.slots], ensure_ascii=False)


class FragmentCache:
    """Serialised registry objects per (session, kind, id), each with the stored form it renders."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, str, str], tuple[str, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    # --- lookups ------------------------------------------------------------------------------------
    def _get(self, key: tuple[str, str, str], version: str, build: Callable[[], bytes]) -> bytes:
        with self._lock:
            item = self._items.get(key)
            if item is not None and item[0] == version:
                self._items.move_to_end(key)
                self.hits += 1
                return item[1]
            self.misses += 1
        data = build()  # outside the lock: two threads may build the same fragment, both identical
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old[0]) + len(old[1])
            self._items[key] = (version, data)
            self._bytes += len(version) + len(data)
            while self._bytes > self.max_bytes and self._items:
                _, (v, d) = self._items.popitem(last=False)
                self._bytes -= len(v) + len(d)
        return data

    def entry(self, session: str, entry: DocumentEntry, stored: str | None) -> bytes:
        """`stored`: the JSON row `entry` was read from (None: not from the store, built uncached)."""
        if stored is None:
            return serialise([entry_element(entry)])
        return self._get((session, "entry", entry.entry_uuid), stored, lambda: serialise([entry_element(entry)]))

    def submission_set(self, session: str, ss: SubmissionSet, stored: str | None) -> bytes:
        if stored is None:
            return serialise(submission_set_elements(ss))
        return self._get((session, "set", ss.entry_uuid), stored, lambda: serialise(submission_set_elements(ss)))

    def association(self, session: str, a: Association) -> bytes:
        return self._get((session, "assoc", a.id), _assoc_version(a), lambda: serialise([association_element(a)]))

    def object_ref(self, obj_id: str) -> bytes:
        return self._get(("", "ref", obj_id), obj_id, lambda: serialise([object_ref(obj_id)]))

    # --- invalidation -------------------------------------------------------------------------------
    def discard(self, session: str, kind: str, obj_id: str) -> None:
        with self._lock:
            old = self._items.pop((session, kind, obj_id), None)
            if old is not None:
                self._bytes -= len(old[0]) + len(old[1])

    def drop_session(self, session: str) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] == session]:
                v, d = self._items.pop(key)
                self._bytes -= len(v) + len(d)


__all__ = ["DEFAULT_MAX_BYTES", "FragmentCache", "response_objects", "serialise", "splice"]
