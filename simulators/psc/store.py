"""State of Pro Santé Connect: the signing key (per data directory) and the short-lived grants.

The signing key is random, generated at the first start into `<data_dir>/psc-signing-key.pem`
(0600) and reused afterwards, so tokens survive a restart of the same bench but nobody can derive
the key from the public seed (issue 15). Codes and CIBA requests live in memory: they last seconds
to minutes and a restart legitimately invalidates them, as it would a real login in progress.

Replicas (a bench database on PostgreSQL, docs/replicas.md): the key is created once into the
`shared_values` table (the first replica to start wins, the others read it), and the grants live in
`psc_grants`, so a code issued by one replica is redeemed through another and a token signed by one is
accepted by all.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Float, Integer, String, Table, Text, and_, delete, select, update
from sqlalchemy.exc import IntegrityError

from simulators.codecs.jose import SigningKey
from simulators.core.shared import shared_signing_key_pem

from .model import AuthorizationCode, AuthorizationRequest, CibaRequest

KEY_FILE = "psc-signing-key.pem"
SID_KEEP_S = 86_400  # an ended login session outlives every refresh token it could have issued


def signing_key(data_dir: Path | str, db: Any = None) -> SigningKey:
    """The persisted key: in the database when it is shared by replicas (`db.shared`), else in the data dir."""
    if db is not None and getattr(db, "shared", False):
        return shared_signing_key(db)
    return SigningKey.load_or_create(Path(data_dir) / KEY_FILE)


def shared_signing_key(db: Any) -> SigningKey:
    """A random key created once in the shared database; every replica reads the same one."""
    return SigningKey.from_pem(shared_signing_key_pem(db, "psc"))


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


class SharedGrantStore:
    """`GrantStore` in the shared database (table `psc_grants`), for replicas: the same methods."""

    def __init__(self, db: Any, clock=time.time) -> None:
        self.db = db
        self.clock = clock
        md = db.metadata
        self.table = md.tables["psc_grants"] if "psc_grants" in md.tables else Table(
            "psc_grants", md, Column("kind", String(8), primary_key=True),
            Column("handle", String(128), primary_key=True), Column("expires_at", Float, nullable=False, index=True),
            Column("used", Integer, nullable=False, default=0), Column("data", Text, nullable=False, default="{}"))
        db.ensure_tables(self.table)

    def _put(self, kind: str, handle: str, expires_at: float, data: dict[str, Any], *, purge: bool = False) -> None:
        t = self.table
        with self.db.engine.begin() as conn:
            if purge:
                conn.execute(delete(t).where(t.c.expires_at + 600 < self.clock()))
            conn.execute(delete(t).where(and_(t.c.kind == kind, t.c.handle == handle)))
            conn.execute(t.insert().values(kind=kind, handle=handle, expires_at=expires_at,
                                           used=int(bool(data.get("used"))), data=json.dumps(data)))

    def _get(self, kind: str, handle: str) -> Any:
        t = self.table
        with self.db.engine.connect() as conn:
            return conn.execute(select(t.c.data, t.c.used).where(and_(t.c.kind == kind, t.c.handle == handle))).first()

    def put_request(self, request: AuthorizationRequest) -> None:
        self._put("request", request.request_id, request.expires_at, asdict(request), purge=True)

    def request(self, request_id: str) -> AuthorizationRequest | None:
        row = self._get("request", request_id)
        found = AuthorizationRequest(**json.loads(row.data)) if row is not None else None
        return found if found and found.expires_at > self.clock() else None

    def drop_request(self, request_id: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(delete(self.table).where(and_(self.table.c.kind == "request",
                                                       self.table.c.handle == request_id)))

    def put_code(self, code: AuthorizationCode) -> None:
        self._put("code", code.code, code.expires_at, asdict(code))

    def take_code(self, code: str) -> tuple[AuthorizationCode | None, bool]:
        """The code and whether it had already been used (marked used atomically, across replicas)."""
        t = self.table
        key = and_(t.c.kind == "code", t.c.handle == code)
        with self.db.engine.begin() as conn:
            row = conn.execute(select(t.c.data).where(key)).first()
            if row is None:
                return None, False
            first = conn.execute(update(t).where(and_(key, t.c.used == 0)).values(used=1)).rowcount == 1
        found = AuthorizationCode(**{**json.loads(row.data), "used": True})
        return found, not first

    def put_ciba(self, request: CibaRequest) -> None:
        self._put("ciba", request.auth_req_id, request.expires_at, asdict(request), purge=True)

    def ciba(self, auth_req_id: str) -> CibaRequest | None:
        row = self._get("ciba", auth_req_id)
        return CibaRequest(**json.loads(row.data)) if row is not None else None

    def end_sid(self, sid: str) -> None:
        with contextlib.suppress(IntegrityError):  # ended concurrently through another replica: ended either way
            self._put("sid", sid, self.clock() + SID_KEEP_S, {})

    def sid_ended(self, sid: str) -> bool:
        return self._get("sid", sid) is not None
