"""Where a session's exchanges come from: a journal file or a running bench's admin API.

Both yield the same ``Exchange`` objects (``Exchange.from_json``), so the runner and the reporters
never know which one was used. Input problems raise :class:`SourceError`, which the CLI maps to
exit code 2: a vendor's CI must tell "my software is not conformant" from "the run was broken".
"""

from __future__ import annotations

import json
import os
from datetime import datetime, UTC
from pathlib import Path
from typing import Any
from collections.abc import Iterable, Mapping, Sequence

import requests

from simulators.core.errors import BenchError
from simulators.core.exchange import Exchange

PAGE_SIZE = 1000
MAX_PAGES = 10_000  # a guard against a server whose cursor never advances


class SourceError(BenchError):
    """Exchanges could not be read (missing file, bad JSON, unreachable bench)."""


def parse_since(text: str | None) -> float | None:
    """Epoch seconds ("1763780000.5") or ISO 8601 ("2026-11-22T03:00:00Z", naive means UTC)."""
    if text is None or text == "":
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SourceError(f"--since : attendu des secondes epoch ou une date ISO 8601, obtenu {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def select(exchanges: Iterable[Exchange], *, session: str | None, services: Sequence[str] | None,
           since: float | None) -> list[Exchange]:
    return [
        e for e in exchanges
        if (not session or e.session == session)
        and (not services or e.service in services)
        and (since is None or e.started_at >= since)
    ]


def read_journal(path: Path | str) -> list[Exchange]:
    """JSON Lines, one ``Exchange.to_json()`` per line; blank lines are ignored."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SourceError(f"journal illisible {path} : {exc.strerror or exc}") from exc
    exchanges = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            exchanges.append(Exchange.from_json(json.loads(line)))
        except (ValueError, TypeError, KeyError) as exc:
            raise SourceError(f"{path}:{number} : échange invalide ({type(exc).__name__}: {exc})") from exc
    return exchanges


def write_journal(path: Path | str, exchanges: Iterable[Exchange]) -> None:
    with Path(path).open("w", encoding="utf-8") as handle:
        for exchange in exchanges:
            handle.write(json.dumps(exchange.to_json(), ensure_ascii=False) + "\n")


def bench_session(headers_from: Mapping[str, str] | None = None) -> requests.Session:
    """An HTTP session for the admin API carrying the credentials a shared bench asks for:
    SOCLE_BENCH_ADMIN_TOKEN (bearer, off loopback) and SOCLE_BENCH_SESSION_SECRET (protected session)."""
    env = os.environ if headers_from is None else headers_from
    http = requests.Session()
    if env.get("SOCLE_BENCH_ADMIN_TOKEN"):
        http.headers["Authorization"] = f"Bearer {env['SOCLE_BENCH_ADMIN_TOKEN']}"
    if env.get("SOCLE_BENCH_SESSION_SECRET"):
        http.headers["X-Bench-Session-Secret"] = env["SOCLE_BENCH_SESSION_SECRET"]
    return http


def fetch_exchanges(bench_url: str, *, session: str, services: Sequence[str] | None = None,
                    since: float | None = None, timeout: float = 10.0,
                    http: requests.Session | None = None) -> list[Exchange]:
    """Page through ``GET /_bench/exchanges`` (one request per service filter) until exhausted."""
    http = http or bench_session()
    exchanges: list[Exchange] = []
    for service in (services or (None,)):
        exchanges.extend(_fetch_pages(http, bench_url.rstrip("/"), session, service, since, timeout))
    return exchanges


def _fetch_pages(http: requests.Session, base: str, session: str, service: str | None,
                 since: float | None, timeout: float) -> list[Exchange]:
    params: dict[str, Any] = {"session": session, "limit": PAGE_SIZE, "bodies": 1}
    if service:
        params["service"] = service
    if since is not None:
        params["since"] = repr(since)
    exchanges: list[Exchange] = []
    for _ in range(MAX_PAGES):
        page = _get_page(http, f"{base}/_bench/exchanges", params, timeout)
        try:
            exchanges.extend(Exchange.from_json(item) for item in page["exchanges"])
        except (KeyError, ValueError, TypeError) as exc:
            raise SourceError(f"réponse inattendue de {base}/_bench/exchanges : {exc}") from exc
        after = page.get("next_after")
        if not after:
            return exchanges
        if after == params.get("after"):
            raise SourceError(f"{base}/_bench/exchanges : le curseur next_after n'avance pas ({after})")
        params["after"] = after
    raise SourceError(f"{base}/_bench/exchanges : plus de {MAX_PAGES} pages, pagination interrompue")


def _get_page(http: requests.Session, url: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
    try:
        response = http.get(url, params=params, timeout=timeout)
    except requests.RequestException as exc:
        raise SourceError(f"banc injoignable à {url} : {exc}") from exc
    if response.status_code != 200:
        raise SourceError(f"{url} : attendu HTTP 200, obtenu {response.status_code} {response.text[:200]}")
    try:
        page = response.json()
    except ValueError as exc:
        raise SourceError(f"{url} : réponse non JSON") from exc
    if not isinstance(page, dict) or not isinstance(page.get("exchanges"), list):
        raise SourceError(f"{url} : attendu un objet {{\"exchanges\": [...]}}")
    return page


IDENTITY_BASE_OPERATION = "base-identites"


def fetch_identity_base(bench_url: str, *, session: str, timeout: float = 10.0,
                        http: requests.Session | None = None) -> list[str]:
    """INS of the identities the session's base declares qualified (INSi persons whose status is
    « qualifiée »), from ``GET /_bench/ins/dashboard``; empty when the bench serves no INSi."""
    http = http or requests.Session()
    try:
        reply = http.get(f"{bench_url.rstrip('/')}/_bench/ins/dashboard", params={"session": session},
                         timeout=timeout)
        if reply.status_code != 200:
            return []
        persons = reply.json().get("persons") or []
    except (requests.RequestException, ValueError, AttributeError):
        return []
    return sorted({str(p.get("ins")) for p in persons
                   if isinstance(p, dict) and p.get("world_status") == "QUAL" and p.get("ins")})


def identity_base_exchange(session: str, declared_qualified: Sequence[str]) -> Exchange:
    """The session's identity base as a context record (never judged): cross-service rules count
    its qualified identities as qualified from the start of the session."""
    return Exchange(session=session, service="ins", operation=IDENTITY_BASE_OPERATION, started_at=0.0,
                    id="0" * 32, status=200, summary={"declared_qualified": list(declared_qualified)})
