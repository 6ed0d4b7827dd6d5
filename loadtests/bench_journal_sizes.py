"""Journal and dashboard cost against the journal's size: 10,000 and 1,000,000 exchanges.

The journal is bulk-seeded (SQL inserts of realistic rows: INSi lookups with their SOAP bodies and
verdicts, spread over five services, in the session the pages read plus another one), cached under
loadtests/.cache/seeded (loadtests/seedcache.py), and copied into the run. A bench built as `serve`
builds it (production mode, dashboard on the admin port) runs in its own process; this process
measures, on keep-alive connections:

- journal pages: `GET /_bench/exchanges?session=…&limit=100` newest first, and a page in the middle;
- the dashboard's first API page: `GET /ui/api/exchanges?session=…&limit=500` (rows + total);
- the dashboard's first paint: on a fresh connection, the calls the page makes before its first rows
  show, in order (`/`, `/ui/api/meta`, `/_bench/sessions`, `/ui/api/exchanges`), summed. Headless
  Chromium is not used (the calls are timed over HTTP); the note in the results says so;
- the serving process's RSS once the pages were read.
"""

from __future__ import annotations

import http.client
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from simulators.core.exchange import Caller, Exchange, Verdict

from loadtests.common import percentile, spawned_server
from loadtests.production import production_bench, rss_mb, runtime_facts
from loadtests.seedcache import schema_digest, seeded_file, working_copy
from simulators.core.config import load_config
from simulators.core.db import open_database
from simulators.core.journal import exchanges_table
from simulators.core.journal_rows import to_row
from simulators.core.pki import Pki
from simulators.core.pki.testing import make_test_pki
from simulators.dashboard import Dashboard

SESSION = "bench"
SEED_VERSION = 2  # 2: rows written by journal_rows.to_row
SERVICES = ("ins", "dmp", "mss", "ror", "psc")
FIRST_PAINT = ("/", "/ui/api/meta", "/_bench/sessions", f"/ui/api/exchanges?session={SESSION}&limit=500")


def _serve(work_dir: str, conn: Any) -> None:  # pragma: no cover - child process

    # TLS on as under `serve` (the admin port and its dashboard are plain HTTP there too)
    config = load_config(None, data_dir=Path(work_dir) / "data", tls=True).ephemeral()
    with production_bench(config, [Dashboard()], pki=Pki.load(Path(work_dir) / "pki")) as bench:
        conn.send({"admin": bench.admin_url, "facts": runtime_facts(bench)})
        conn.recv()
        conn.send(rss_mb())


def _rows(first: int, n: int, start: float) -> list[dict[str, Any]]:
    """Rows `first`..`first + n` of the seeded journal, one exchange every 10 ms from `start`, written by
    the journal's own row mapping (`journal_rows.to_row`)."""
    body = (b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
            + b"<x>" + b"a" * 1200 + b"</x></soap:Body></soap:Envelope>")
    verdicts = [Verdict(check="ins.request.schema", outcome="pass", message="conforme")]
    headers = {"content-type": "application/soap+xml"}
    caller = Caller(kind="tls", subject="CN=INSI-AUTO")
    rows = []
    for i in range(first, first + n):
        service = SERVICES[i % len(SERVICES)]
        rows.append(to_row(Exchange(
            id=f"{int((start + i * 0.01) * 1000):012x}{i & 0xFFFFFFFF:08x}bench0",
            session=SESSION if i % 10 else "autre", service=service, operation=f"{service}.op{i % 3}",
            started_at=start + i * 0.01, duration_ms=3.5, status=200, method="POST",
            path=f"/s/{SESSION}/{service}", caller=caller, request_headers=headers, request_body=body,
            response_headers=headers, response_body=body, summary={"i": i, "cr": "00"}, verdicts=verdicts)))
    return rows


def bulk_seed_journal(database_url: str, exchanges: int, *, batch: int = 10_000) -> None:
    """`exchanges` journal rows through bulk inserts (90 % in the measured session)."""
    db = open_database(database_url)
    table = exchanges_table(db)
    db.create_all()
    start = time.time() - exchanges * 0.01
    with db.engine.begin() as conn:
        for first in range(0, exchanges, batch):
            conn.execute(table.insert(), _rows(first, min(batch, exchanges - first), start))
    db.dispose()


def seeded_journal(exchanges: int) -> tuple[Path, dict[str, Any]]:
    probe = open_database("sqlite://")
    exchanges_table(probe)
    digest = schema_digest(probe.metadata, SEED_VERSION)
    probe.dispose()
    return seeded_file("journal", exchanges, digest, lambda path: bulk_seed_journal(f"sqlite:///{path}", exchanges))


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Accept": "application/json"})
    reply = conn.getresponse()
    body = reply.read()
    if reply.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {reply.status}")
    return (time.perf_counter() - t0) * 1000, body


def _timed(conn: http.client.HTTPConnection, path: str, repeat: int) -> dict[str, float]:
    _get(conn, path)  # warm (SQLite page cache, Flask)
    values = [_get(conn, path)[0] for _ in range(repeat)]
    return {"p50_ms": round(percentile(values, 0.5), 2), "p99_ms": round(percentile(values, 0.99), 2)}


def measure(exchanges: int, *, repeat: int = 20) -> dict[str, Any]:
    """One point of the series: journal pages, dashboard API, first paint, RSS, seeding time."""
    cached, seeding = seeded_journal(exchanges)
    with tempfile.TemporaryDirectory(prefix="bench-journal-size-") as work_dir:
        working_copy(cached, Path(work_dir) / "data" / "bench.db")
        make_test_pki(Path(work_dir) / "pki", key_type="ec-p256")
        with spawned_server(_serve, work_dir) as parent:
            if not parent.poll(120):
                raise RuntimeError("the journal bench did not start within 120 s")
            info = parent.recv()
            host, port = info["admin"].split("://")[1].split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=120)
            newest = _timed(conn, f"/_bench/exchanges?session={SESSION}&limit=100&order=desc", repeat)
            _, body = _get(conn, f"/_bench/exchanges?session={SESSION}&limit=1&order=desc")
            first_id = json.loads(body)["exchanges"][0]["id"]
            middle_id = f"{int(first_id[:12], 16) - exchanges * 5:012x}"  # half way back in time
            middle = _timed(conn, f"/_bench/exchanges?session={SESSION}&limit=100&after={middle_id}", repeat)
            dashboard = _timed(conn, FIRST_PAINT[-1], max(5, repeat // 4))
            conn.close()
            paints = []
            for _ in range(5):
                fresh = http.client.HTTPConnection(host, int(port), timeout=120)
                paints.append(sum(_get(fresh, path)[0] for path in FIRST_PAINT))
                fresh.close()
            parent.send("stop")
            memory = parent.recv() if parent.poll(60) else {}
    return {"size": exchanges, "seed_s": seeding["seed_s"], "seed_cached": seeding["cached"],
            "journal_page_p50_ms": newest["p50_ms"], "journal_page_p99_ms": newest["p99_ms"],
            "journal_middle_page_p50_ms": middle["p50_ms"], "journal_middle_page_p99_ms": middle["p99_ms"],
            "dashboard_api_p50_ms": dashboard["p50_ms"], "dashboard_api_p99_ms": dashboard["p99_ms"],
            "first_paint_ms": round(percentile(paints, 0.5), 1), "first_paint_max_ms": round(max(paints), 1),
            "first_paint_method": FIRST_PAINT_NOTE, "facts": info["facts"], **memory}


FIRST_PAINT_NOTE = ("appels HTTP du tableau de bord avant ses premières lignes (" + ", ".join(FIRST_PAINT)
                    + ") ; Chromium sans tête " + ("présent mais non utilisé" if shutil.which("chromium")
                                                   else "absent") + " : temps des appels d'API, pas du rendu")
