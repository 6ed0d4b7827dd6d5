"""The `Exchange` record: one request a simulator received, with its response and verdicts.

It is the single source for the dashboard, the conformance runner, the evidence bundle and replays,
so it is a plain dataclass with a stable JSON form (bodies base64-encoded) that crosses process
boundaries unchanged (admin API, journal files).
"""

from __future__ import annotations

import base64
import itertools
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

JSON_SCHEMA_VERSION = 1


_SEQUENCE = itertools.count()
_PROCESS_TAG = os.urandom(6).hex()


def new_exchange_id(now_ns: int | None = None) -> str:
    """Time-ordered id: ms timestamp, a per-process sequence, a per-process random tag (hex).

    Ids sort like arrival order within a process (and by millisecond across processes), which the
    journal's paging (`after=<id>`) relies on.
    """
    ms = (now_ns if now_ns is not None else time.time_ns()) // 1_000_000
    return f"{ms:012x}{next(_SEQUENCE) & 0xFFFFFFFF:08x}{_PROCESS_TAG}"


@dataclass
class Caller:
    """Who called: the strongest identity the simulator could establish for this request.

    kind: "tls" (client certificate), "saml" (VIHF / CPx assertion), "oauth" (bearer token client),
    "smtp" / "imap" (login), "anonymous".
    """

    kind: str = "anonymous"
    subject: str = ""
    issuer: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Verdict:
    """One live-check result stored on the exchange (see conformance)."""

    check: str
    outcome: str  # error > fail > skip > pass > omit
    requirements: list[str] = field(default_factory=list)
    message: str = ""
    level: str = "EXIGENCE"


@dataclass
class Exchange:
    session: str
    service: str
    operation: str
    started_at: float  # epoch seconds
    duration_ms: float = 0.0
    id: str = field(default_factory=new_exchange_id)
    protocol: str = "http"  # http | smtp | imap
    caller: Caller = field(default_factory=Caller)
    method: str = ""
    path: str = ""
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: bytes = b""
    status: int = 0  # HTTP status, SMTP reply code, 0 when no response (drop)
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    summary: dict[str, Any] = field(default_factory=dict)
    fault: str = ""  # name of the injected fault, if any
    verdicts: list[Verdict] = field(default_factory=list)
    request_size: int = -1  # set by the journal; kept when bodies are not loaded
    response_size: int = -1

    def __post_init__(self) -> None:
        if self.request_size < 0:
            self.request_size = len(self.request_body)
        if self.response_size < 0:
            self.response_size = len(self.response_body)

    @property
    def decoded(self) -> dict[str, Any]:
        """In memory only, never stored nor serialised: what the simulator already decoded from this
        exchange's bytes, by codec key (e.g. ``"ins.request"``), for the live checks to reuse instead of
        parsing the same bytes again. Empty for an exchange read back from the journal or a file: the
        checks then parse (and must reach the same verdicts either way)."""
        decoded = self.__dict__.get("_decoded")
        if decoded is None:
            decoded = self.__dict__["_decoded"] = {}
        return decoded

    def to_json(self, *, bodies: bool = True) -> dict[str, Any]:
        data = asdict(self)
        if bodies:
            data["request_body"] = base64.b64encode(self.request_body).decode("ascii")
            data["response_body"] = base64.b64encode(self.response_body).decode("ascii")
        else:
            data.pop("request_body")
            data.pop("response_body")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Exchange:
        data = dict(data)
        data["caller"] = Caller(**data.get("caller") or {})
        data["verdicts"] = [Verdict(**v) for v in data.get("verdicts") or []]
        for key in ("request_body", "response_body"):
            raw = data.get(key)
            data[key] = base64.b64decode(raw) if isinstance(raw, str) else (raw or b"")
        return cls(**data)
