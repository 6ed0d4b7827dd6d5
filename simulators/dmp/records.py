"""The JSON form of the registry's records (`dataclasses.asdict`, without its cost).

`asdict` walks every value through `copy.deepcopy` and looks the fields up again for every object; an
ITI-41 write spent a third of its store time there (entries, submission set, access rows). The records
the DMP stores hold only dataclasses, lists, dicts and immutable scalars, so a walk over field names
cached per class gives the same dict (tests/dmp/test_records.py compares both on every kind of record).
"""

from __future__ import annotations

import copy
from dataclasses import fields, is_dataclass
from typing import Any

_NAMES: dict[type, tuple[str, ...]] = {}


def _names(cls: type) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


_SCALARS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """What `dataclasses.asdict` gives for a dataclass instance (and the same walk for its values)."""
    cls = type(value)
    if cls in _SCALARS:
        return value
    if cls is list:
        return [v if type(v) in _SCALARS else plain(v) for v in value]
    if cls is dict:
        return {plain(k): plain(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        out = {}
        for name in _names(cls):
            v = getattr(value, name)
            out[name] = v if type(v) in _SCALARS else plain(v)
        return out
    if cls is tuple:
        return tuple(plain(v) for v in value)
    return copy.deepcopy(value)  # what asdict does with any other value (none in the DMP's records)
