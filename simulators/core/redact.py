"""Secrets never reach the journal as sent: bearer tokens, passwords and client secrets are masked before an
exchange is stored or published (`journal.keep_secrets = true` keeps them, for debugging only).

A JWT keeps its header and claims, which are evidence (issuer, expiry, profile), and loses its signature,
which is what makes it usable: a journal export hands nobody a working token. Anything else is replaced.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .exchange import Exchange

MASK = "[masqué]"
SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-bench-session-secret",
                  "esante-api-key", "x-api-key"}
SECRET_FIELDS = {"password", "client_secret", "refresh_token", "access_token", "id_token", "token",
                 "client_assertion", "code", "code_verifier", "secret", "subject_token"}
_JWT = re.compile(r"^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*$")
_MAX_SCAN = 256 * 1024  # token requests and answers are small; large bodies (documents) are not scanned
# FHIR resources are clinical data whose top-level elements are never credentials ("code" is a concept, not
# an authorisation code): a FHIR body is stored as sent, never parsed here (a 200 KB ROR page cost 4 ms)
_FHIR_MEDIA = ("fhir+json", "json+fhir")


def mask_value(value: str) -> str:
    match = _JWT.match(value.strip())
    if match:
        return f"{match.group(1)}.{match.group(2)}.{MASK}"
    return MASK if value else value


def mask_header(value: str) -> str:
    scheme, sep, credentials = value.partition(" ")
    if sep and scheme.lower() in ("bearer", "basic", "dpop", "negotiate"):
        return f"{scheme} {mask_value(credentials)}"
    return mask_value(value)


def _headers(headers: dict[str, Any]) -> dict[str, Any]:
    if not any(k.lower() in SECRET_HEADERS for k in headers):  # the usual case: nothing to copy
        return headers
    return {k: mask_header(str(v)) if k.lower() in SECRET_HEADERS else v for k, v in headers.items()}


def _content_type(headers: dict[str, Any]) -> str:
    return next((str(v) for k, v in headers.items() if k.lower() == "content-type"), "").lower()


def _body(body: bytes, content_type: str) -> bytes:
    if not body or len(body) > _MAX_SCAN:
        return body
    if "x-www-form-urlencoded" in content_type:
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except (UnicodeDecodeError, ValueError):
            return body
        if any(k in SECRET_FIELDS for k, _ in pairs):
            return urlencode([(k, mask_value(v) if k in SECRET_FIELDS else v) for k, v in pairs]).encode()
        return body
    if "json" in content_type and not any(m in content_type for m in _FHIR_MEDIA) and body.lstrip()[:1] == b"{":
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return body
        if isinstance(data, dict) and any(k in SECRET_FIELDS and isinstance(v, str) and v for k, v in data.items()):
            masked = {k: mask_value(v) if k in SECRET_FIELDS and isinstance(v, str) else v for k, v in data.items()}
            return json.dumps(masked, ensure_ascii=False).encode("utf-8")
    return body


def redact_exchange(exchange: Exchange) -> Exchange:
    """Mask the secrets of one exchange in place (headers, form and JSON bodies, both directions)."""
    exchange.request_body = _body(exchange.request_body, _content_type(exchange.request_headers))
    exchange.response_body = _body(exchange.response_body, _content_type(exchange.response_headers))
    exchange.request_headers = _headers(exchange.request_headers)
    exchange.response_headers = _headers(exchange.response_headers)
    return exchange


def masked(exchange: Exchange) -> Exchange:
    """The exchange as it may be stored: itself when it holds no secret (the usual case, no copy), else a
    shallow copy with the secrets masked (the original, which the live checks read, is left alone)."""
    request_body = _body(exchange.request_body, _content_type(exchange.request_headers))
    response_body = _body(exchange.response_body, _content_type(exchange.response_headers))
    request_headers = _headers(exchange.request_headers)
    response_headers = _headers(exchange.response_headers)
    if (request_body is exchange.request_body and response_body is exchange.response_body
            and request_headers is exchange.request_headers and response_headers is exchange.response_headers):
        return exchange
    stored = copy.copy(exchange)
    stored.request_body, stored.response_body = request_body, response_body
    stored.request_headers, stored.response_headers = request_headers, response_headers
    return stored
