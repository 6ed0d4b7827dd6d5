"""Test sessions: every piece of state belongs to one, so parallel CI pipelines never meet.

HTTP services take the session from a `/s/<session>/` URL prefix, mail services from the login; the
services register reset/delete hooks so that resetting a session empties every store it touched.

Several worker processes may share one database (gunicorn over PostgreSQL or SQLite WAL): creation
tolerates another process inserting the same name first, a name unknown to this process is looked up
in the table before being created, and with `shared=True` the set of known names is reloaded at most
once per `refresh_s` so a session deleted elsewhere stops resolving here too.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import json
import re
import secrets as _secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Float, String, Table, Text, delete, select
from sqlalchemy.exc import IntegrityError

from .db import Database
from .errors import BenchError
from .events import Event, EventBus

DEFAULT_SESSION = "default"
SESSION_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

SessionHook = Callable[[str], object]  # what a hook returns is ignored (e.g. a count of deleted rows)
SECRET_KEY = "_secret"  # options key holding the salted hash of a protected session's secret


def hash_secret(secret: str, salt: str | None = None) -> str:
    salt = salt or _secrets.token_hex(8)
    return f"sha256:{salt}:{hashlib.sha256((salt + secret).encode()).hexdigest()}"


def secret_matches(stored: str, secret: str) -> bool:
    parts = stored.split(":")
    if len(parts) != 3 or not secret:
        return False
    return hmac.compare_digest(hash_secret(secret, parts[1]), stored)


class SessionError(BenchError):
    """Unknown, invalid or duplicate session name."""


@dataclass
class SessionInfo:
    name: str
    created_at: float
    description: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def protected(self) -> bool:
        return bool(self.options.get(SECRET_KEY))

    def public(self) -> dict[str, Any]:
        """What the admin API shows: never the secret's hash."""
        return {"name": self.name, "created_at": self.created_at, "description": self.description,
                "options": {k: v for k, v in self.options.items() if k != SECRET_KEY},
                "protected": self.protected}


def valid_session_name(name: str) -> bool:
    return bool(SESSION_NAME_RE.match(name or ""))


class SessionRegistry:
    def __init__(self, db: Database, *, auto_create: bool = True, events: EventBus | None = None,
                 shared: bool = False, refresh_s: float = 1.0) -> None:
        self.db = db
        self.auto_create = auto_create
        self.events = events
        self.shared = shared
        self.refresh_s = refresh_s
        self._next_refresh = 0.0
        self.table = self._table(db)
        self._known: set[str] = set()
        self._lock = threading.Lock()
        self._reset_hooks: list[SessionHook] = []
        self._create_hooks: list[SessionHook] = []

    @staticmethod
    def _table(db: Database) -> Table:
        if "sessions" in db.metadata.tables:
            return db.metadata.tables["sessions"]
        return Table("sessions", db.metadata,
                     Column("name", String(64), primary_key=True),
                     Column("created_at", Float, nullable=False),
                     Column("description", Text, nullable=False, default=""),
                     Column("options", Text, nullable=False, default="{}"))

    def start(self) -> None:
        self.db.ensure_tables(self.table)
        self._reload_known()
        if DEFAULT_SESSION not in self._known:
            self.create(DEFAULT_SESSION, description="session par défaut", exist_ok=True)

    def _reload_known(self) -> None:
        with self.db.engine.connect() as conn:
            self._known = {r[0] for r in conn.execute(select(self.table.c.name))}
        self._next_refresh = time.monotonic() + self.refresh_s

    def refresh(self) -> None:
        """Reload the known names now: another process sharing the database created or deleted sessions
        (the master of `serve --workers` tells its workers after an admin write)."""
        self._reload_known()

    def _in_table(self, name: str) -> bool:
        """A session another process created: remember it."""
        with self.db.engine.connect() as conn:
            found = conn.execute(select(self.table.c.name).where(self.table.c.name == name)).first() is not None
        if found:
            self._known.add(name)
        return found

    # hooks registered by services: on_reset runs for reset and delete (both drop the state)
    def on_reset(self, hook: SessionHook) -> None:
        self._reset_hooks.append(hook)

    def on_create(self, hook: SessionHook) -> None:
        self._create_hooks.append(hook)

    def resolve(self, name: str | None) -> str:
        """Session for an incoming request; creates it on first use when auto-create is on."""
        name = name or DEFAULT_SESSION
        if self.shared and time.monotonic() >= self._next_refresh:
            self._reload_known()
        if name in self._known:
            return name
        if not valid_session_name(name):
            raise SessionError(f"nom de session invalide: {name!r}")
        if self._in_table(name):
            return name
        if not self.auto_create:
            raise SessionError(f"session inconnue: {name!r}")
        self.create(name, exist_ok=True)
        return name

    def exists(self, name: str) -> bool:
        return name in self._known or (valid_session_name(name) and self._in_table(name))

    def create(self, name: str, *, description: str = "", options: dict[str, Any] | None = None,
               exist_ok: bool = False, secret: str = "") -> SessionInfo:
        """`secret`: the session is protected, its admin views need it (X-Bench-Session-Secret)."""
        if not valid_session_name(name):
            raise SessionError(f"nom de session invalide: {name!r}")
        options = {k: v for k, v in (options or {}).items() if k != SECRET_KEY}
        if secret:
            if len(secret) < 12:
                raise SessionError("secret de session trop court (12 caractères au moins)")
            options[SECRET_KEY] = hash_secret(secret)
        with self._lock:
            if name in self._known:
                if exist_ok:
                    return self.get(name)
                raise SessionError(f"la session {name!r} existe déjà")
            info = SessionInfo(name=name, created_at=time.time(), description=description,
                               options=dict(options or {}))
            try:
                with self.db.engine.begin() as conn:
                    exists = conn.execute(select(self.table.c.name).where(self.table.c.name == name)).first()
                    if exists is None:
                        conn.execute(self.table.insert().values(name=name, created_at=info.created_at,
                                                                description=description,
                                                                options=json.dumps(info.options)))
                created_elsewhere = exists is not None
            except IntegrityError:  # another process inserted it between our select and insert
                created_elsewhere = True
            self._known.add(name)
            if created_elsewhere:
                if exist_ok:
                    return self.get(name)
                raise SessionError(f"la session {name!r} existe déjà")
        for hook in self._create_hooks:
            hook(name)
        self._publish("created", name)
        return info

    def get(self, name: str) -> SessionInfo:
        with self.db.engine.connect() as conn:
            row = conn.execute(select(self.table).where(self.table.c.name == name)).first()
        if row is None:
            raise SessionError(f"session inconnue: {name!r}")
        m = row._mapping
        return SessionInfo(name=m["name"], created_at=m["created_at"], description=m["description"],
                           options=json.loads(m["options"] or "{}"))

    def list(self) -> list[SessionInfo]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(select(self.table).order_by(self.table.c.created_at)).all()
        return [SessionInfo(name=r.name, created_at=r.created_at, description=r.description,
                            options=json.loads(r.options or "{}")) for r in rows]

    def is_protected(self, name: str) -> bool:
        try:
            return self.get(name).protected
        except SessionError:
            return False

    def secret_matches(self, name: str, secret: str) -> bool:
        try:
            stored = self.get(name).options.get(SECRET_KEY, "")
        except SessionError:
            return False
        return secret_matches(str(stored), secret)

    def protected_names(self) -> builtins.list[str]:  # `list` is the method above in this class body
        return [s.name for s in self.list() if s.protected]

    def reset(self, name: str) -> None:
        """Drop every piece of state of the session, keep the session itself."""
        if not self.exists(name):
            raise SessionError(f"session inconnue: {name!r}")
        for hook in self._reset_hooks:
            hook(name)
        self._publish("reset", name)

    def delete(self, name: str) -> None:
        if not self.exists(name):
            raise SessionError(f"session inconnue: {name!r}")
        for hook in self._reset_hooks:
            hook(name)
        with self._lock:
            with self.db.engine.begin() as conn:
                conn.execute(delete(self.table).where(self.table.c.name == name))
            self._known.discard(name)
        self._publish("deleted", name)

    def _publish(self, what: str, name: str) -> None:
        if self.events is not None:
            self.events.publish(Event("session", name, {"event": what}))
