"""State of Pro Santé Connect: the signing key (per data directory) and the short-lived grants.

The signing key is random, generated at the first start into `<data_dir>/psc-signing-key.pem`
(0600) and reused afterwards, so tokens survive a restart of the same bench but nobody can derive
the key from the public seed (issue 15). Codes and CIBA requests live in memory: they last seconds
to minutes and a restart legitimately invalidates them, as it would a real login in progress.
"""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

from simulators.codecs.jose import SigningKey

from .model import AuthorizationCode, AuthorizationRequest, CibaRequest

KEY_FILE = "psc-signing-key.pem"


def signing_key(data_dir: Path | str) -> SigningKey:
    return SigningKey.load_or_create(Path(data_dir) / KEY_FILE)


def new_handle(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)


class GrantStore:
    """Pending authorization requests, codes, CIBA requests and ended login sessions (`sid`)."""

    def __init__(self, clock=time.time) -> None:  # a zero-argument callable
        self.clock = clock
        self._lock = threading.Lock()
        self._requests: dict[str, AuthorizationRequest] = {}
        self._codes: dict[str, AuthorizationCode] = {}
        self._ciba: dict[str, CibaRequest] = {}
        self._ended_sids: set[str] = set()

    def _purge(self) -> None:
        now = self.clock()
        for table in (self._requests, self._codes, self._ciba):
            for key in [k for k, v in table.items() if v.expires_at + 600 < now]:
                del table[key]

    def put_request(self, request: AuthorizationRequest) -> None:
        with self._lock:
            self._purge()
            self._requests[request.request_id] = request

    def request(self, request_id: str) -> AuthorizationRequest | None:
        with self._lock:
            found = self._requests.get(request_id)
            return found if found and found.expires_at > self.clock() else None

    def drop_request(self, request_id: str) -> None:
        with self._lock:
            self._requests.pop(request_id, None)

    def put_code(self, code: AuthorizationCode) -> None:
        with self._lock:
            self._codes[code.code] = code

    def take_code(self, code: str) -> tuple[AuthorizationCode | None, bool]:
        """The code and whether it had already been used (marked used atomically)."""
        with self._lock:
            found = self._codes.get(code)
            if found is None:
                return None, False
            reused = found.used
            found.used = True
            return found, reused

    def put_ciba(self, request: CibaRequest) -> None:
        with self._lock:
            self._purge()
            self._ciba[request.auth_req_id] = request

    def ciba(self, auth_req_id: str) -> CibaRequest | None:
        with self._lock:
            return self._ciba.get(auth_req_id)

    def end_sid(self, sid: str) -> None:
        with self._lock:
            self._ended_sids.add(sid)

    def sid_ended(self, sid: str) -> bool:
        with self._lock:
            return sid in self._ended_sids
