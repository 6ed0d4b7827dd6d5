"""Content negotiation of a FHIR server (FHIR R4 http §3.1.0.1.9): `_format` wins over `Accept`;
JSON and XML are served, anything else is 406.
"""

from __future__ import annotations

from typing import Any

from simulators.fhir.bundle import dumps
from simulators.fhir.errors import SearchError
from simulators.fhir.xml import to_xml

FHIR_JSON = "application/fhir+json"
FHIR_XML = "application/fhir+xml"
_JSON = {"json", "application/json", FHIR_JSON, "application/json+fhir"}
_XML = {"xml", "text/xml", "application/xml", FHIR_XML, "application/xml+fhir"}


def _mime(value: str) -> str:
    return value.split(";")[0].strip().lower()


def negotiate(format_param: str, accept: str, *, xml: bool = True) -> str:
    """"json" or "xml" for a request; SearchError 406 for a format the server does not produce."""
    if format_param:
        wanted = _mime(format_param)
        if wanted in _JSON:
            return "json"
        if wanted in _XML and xml:
            return "xml"
        raise SearchError(f"format non pris en charge : {format_param[:60]!r}", status=406, code="not-supported")
    ranked = []
    for position, part in enumerate(accept.split(",")):
        mime, _, params = part.partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, _mime(mime)))
    for _q, _p, mime in sorted(ranked):
        if mime in _JSON or mime in ("*/*", "application/*", ""):
            return "json"
        if mime in _XML and xml:
            return "xml"
    return "json"


def render(resource: Any, fmt: str) -> tuple[bytes, str]:
    """Body bytes and Content-Type for a resource in the negotiated format."""
    if fmt == "xml":
        return to_xml(resource), f"{FHIR_XML};charset=UTF-8"
    return dumps(resource), f"{FHIR_JSON};charset=UTF-8"
