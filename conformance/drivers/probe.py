"""What the steps (and the observe driver) see of the bench: its admin API, read-only.

Verification goes through the same HTTP admin API whether the bench runs in-process or in docker,
so a step proves what is observable on the simulators, not what a driver claims. Waiting is polling
``/_bench/exchanges?session=&service=&after=`` with a cursor, so a long wait costs one small request
per poll interval and never re-reads old exchanges.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests

from simulators.core.exchange import Exchange

from conformance.drivers.base import DriverError
from conformance.sources import bench_session

Matcher = Callable[[Exchange], bool]


def admin_root(url: str) -> str:
    """``http://host:8080/_bench/`` or ``http://host:8080`` -> ``http://host:8080``."""
    url = url.rstrip("/")
    return url[: -len("/_bench")] if url.endswith("/_bench") else url


class BenchUnavailable(DriverError):
    """The admin API did not answer as expected (the bench, not the DUI, is at fault)."""


class WaitTimeout(DriverError):
    """Nothing matching arrived in time (the message says what was awaited)."""


class BenchProbe:
    def __init__(self, admin_url: str, session: str, *, http: requests.Session | None = None,
                 poll_s: float = 0.2, timeout_s: float = 10.0) -> None:
        self.admin_url = admin_root(admin_url)
        self.session = session
        self.http = http or bench_session()
        self.poll_s = poll_s
        self.timeout_s = timeout_s

    # --- raw access ---------------------------------------------------------------------------
    def get_json(self, path: str, **params: Any) -> Any:
        url = f"{self.admin_url}/_bench{path}"
        try:
            reply = self.http.get(url, params={k: v for k, v in params.items() if v is not None},
                                  timeout=self.timeout_s)
        except requests.RequestException as exc:
            raise BenchUnavailable(f"banc injoignable ({url}) : {exc}") from exc
        if reply.status_code == 404:
            return None
        if reply.status_code != 200:
            raise BenchUnavailable(f"{url} : HTTP {reply.status_code} {reply.text[:200]}")
        return reply.json()

    def services(self) -> dict[str, str]:
        return {item["service"]: item["url"] for item in self.get_json("/services") or []}

    def ensure_session(self, description: str = "") -> None:
        url = f"{self.admin_url}/_bench/sessions"
        try:
            reply = self.http.post(url, json={"name": self.session, "description": description},
                                   timeout=self.timeout_s)
        except requests.RequestException as exc:
            raise BenchUnavailable(f"banc injoignable ({url}) : {exc}") from exc
        if reply.status_code not in (201, 409):
            raise BenchUnavailable(f"création de la session {self.session!r} : HTTP {reply.status_code} {reply.text[:200]}")

    # --- exchanges ----------------------------------------------------------------------------
    def exchanges(self, *, service: str | None = None, operation: str | None = None,
                  after: str | None = None, bodies: bool = False) -> list[Exchange]:
        """Every exchange of the session (optionally after a cursor), oldest first."""
        found: list[Exchange] = []
        while True:
            page = self.get_json("/exchanges", session=self.session, service=service, operation=operation,
                                 after=after, limit=1000, bodies=1 if bodies else None) or {}
            items = [Exchange.from_json(e) for e in page.get("exchanges", [])]
            found.extend(items)
            after = page.get("next_after")
            if not after or not items:
                return found

    def cursor(self) -> str:
        """Id of the newest exchange of the session ("" when none): later exchanges sort after it."""
        page = self.get_json("/exchanges", session=self.session, order="desc", limit=1) or {}
        items = page.get("exchanges") or []
        return items[0]["id"] if items else ""

    def wait_for(self, matcher: Matcher, *, what: str, service: str | None = None, after: str = "",
                 timeout_s: float | None = None, count: int = 1,
                 on_tick: Callable[[float], None] | None = None) -> list[Exchange]:
        """Poll until ``count`` exchanges after the cursor match; raise WaitTimeout (French) otherwise."""
        deadline = time.monotonic() + (self.timeout_s if timeout_s is None else timeout_s)
        seen: list[Exchange] = []
        cursor = after or None
        while True:
            new = self.exchanges(service=service, after=cursor, bodies=True)
            if new:
                cursor = new[-1].id
                seen.extend(e for e in new if matcher(e))
                if len(seen) >= count:
                    return seen
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                waited = timeout_s if timeout_s is not None else self.timeout_s
                raise WaitTimeout(f"attendu {what} sur le banc (session {self.session}), rien reçu en {waited:g} s")
            if on_tick is not None:
                on_tick(remaining)
            time.sleep(min(self.poll_s, remaining))

    # --- service state through the services' admin blueprints ------------------------------------
    def mailbox_messages(self, address: str) -> list[dict[str, Any]] | None:
        """Messages in a MSSanté box (INBOX), None when the box does not exist."""
        return self.get_json(f"/mss/sessions/{quote(self.session)}/mailboxes/{quote(address)}/messages")

    def mailbox_message_raw(self, address: str, uid: int) -> bytes:
        url = f"{self.admin_url}/_bench/mss/sessions/{quote(self.session)}/mailboxes/{quote(address)}/messages/{uid}"
        try:
            reply = self.http.get(url, timeout=self.timeout_s)
        except requests.RequestException as exc:
            raise BenchUnavailable(f"banc injoignable ({url}) : {exc}") from exc
        if reply.status_code != 200:
            raise BenchUnavailable(f"{url} : HTTP {reply.status_code}")
        return reply.content
