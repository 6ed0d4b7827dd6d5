"""The per-service view documents of simulators/dashboard/README.md as checkable shapes.

The dashboard package ships no schema, so this is the README's contract written down once for the
services' tests: every field the page's renderers read (static/views.js, static/map.js), with its
JSON type. Extra fields are allowed (the page ignores them); a missing or mistyped field fails.
"""

from __future__ import annotations

import json
from typing import Any

class MapOf:
    """An object with free keys (viewer ids), every value of one shape."""

    def __init__(self, shape: Any) -> None:
        self.shape = shape


NUMBER = (int, float)
OPT_NUMBER = (int, float, type(None))

PERSON = {"id": str, "birth_name": str, "used_name": str, "first_names": str, "sex": str, "birth_date": str,
          "birth_place": str, "ins": str, "oid": str, "status": str}
ATTACHMENT = {"filename": str, "content_type": str, "size": int}
RECEIPT = {"kind": str, "status": str}
MESSAGE = {"id": str, "date": (int, float, str), "from": str, "to": [str], "subject": str, "status": str,
           "attachments": [ATTACHMENT], "receipts": [RECEIPT]}
MAILBOX = {"address": str, "kind": str, "owner": str, "messages": [MESSAGE]}
ESTABLISHMENT = {"id": str, "name": str, "finess": str, "category": str, "commune_code": str, "commune": str,
                 "latitude": OPT_NUMBER, "longitude": OPT_NUMBER, "age_min": OPT_NUMBER, "age_max": OPT_NUMBER,
                 "places_available": int}
VIEWER = {"id": str, "label": str}
DMP_DOCUMENT = {"id": str, "title": str, "type": str, "author": str, "date": str, "confidentiality": [str],
                "visible_to": MapOf(bool)}
PATIENT = {"ins": str, "name": str, "birth_date": str, "minor": bool, "status": str, "documents": [DMP_DOCUMENT]}

SHAPES: dict[str, dict[str, Any]] = {
    "persons": {"persons": [PERSON]},
    "patients": {"viewers": [VIEWER], "patients": [PATIENT]},
    "mailboxes": {"mailboxes": [MAILBOX]},
    "establishments": {"establishments": [ESTABLISHMENT]},
}


def _check(value: Any, shape: Any, path: str, problems: list[str]) -> None:
    if isinstance(shape, MapOf):
        if not isinstance(value, dict):
            problems.append(f"{path}: objet attendu, obtenu {type(value).__name__}")
            return
        for key, item in value.items():
            _check(item, shape.shape, f"{path}.{key}", problems)
    elif isinstance(shape, dict):
        if not isinstance(value, dict):
            problems.append(f"{path}: objet attendu, obtenu {type(value).__name__}")
            return
        for key, sub in shape.items():
            if key not in value:
                problems.append(f"{path}.{key}: champ absent")
            else:
                _check(value[key], sub, f"{path}.{key}", problems)
    elif isinstance(shape, list):
        if not isinstance(value, list):
            problems.append(f"{path}: liste attendue, obtenu {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check(item, shape[0], f"{path}[{index}]", problems)
    else:
        allowed = shape if isinstance(shape, tuple) else (shape,)
        wrong = isinstance(value, bool) if bool not in allowed else not isinstance(value, bool)
        if wrong or not isinstance(value, allowed):  # bool is an int for Python, not for JS
            problems.append(f"{path}: {'/'.join(t.__name__ for t in allowed)} attendu, obtenu {value!r:.60}")


def contract_problems(kind: str, document: Any) -> list[str]:
    """Every way `document` departs from the README shape of view `kind` ([] when it conforms)."""
    problems: list[str] = []
    try:
        json.dumps(document, allow_nan=False)
    except (TypeError, ValueError) as exc:
        problems.append(f"document non sérialisable en JSON strict : {exc}")
    _check(document, SHAPES[kind], "$", problems)
    return problems


def assert_view(kind: str, document: Any) -> None:
    problems = contract_problems(kind, document)
    assert not problems, "contrat de vue non respecté :\n" + "\n".join(problems[:20])
