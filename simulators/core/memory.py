"""Long-lived data out of the cyclic garbage collector's way.

A bench holds large, long-lived object graphs: the synthetic world, the INSi base, the ROR index of
200,000 offers (over a million objects), the DMP fragment cache. CPython's cyclic collector walks
every tracked object at each full (generation 2) collection: with such a heap each one takes
100-200 ms, spent in whichever request thread triggered it, which is the p99 of that request.

`settle()` is called once such data is built (end of `Bench.start`, after an index build): it
moves everything alive to the permanent generation (`gc.freeze`, O(1)), which later collections do
not walk. Reference counting still frees these objects as usual; only garbage *cycles* among them
would wait. `release()` (before a large structure is dropped, e.g. a session reset) gives them back
to the collector so such cycles are reclaimed; the next `settle()` freezes what is left.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()


def settle() -> int:
    """Freeze what is alive now; returns the number of objects the collector no longer walks."""
    with _lock:
        gc.freeze()
        return gc.get_freeze_count()


def release() -> None:
    """Give frozen objects back to the collector (their cycles, if dropped, are collected again)."""
    with _lock:
        gc.unfreeze()
