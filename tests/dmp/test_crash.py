"""A document is fully registered or not at all, even when the process dies (kill -9) during a
burst of ITI-41: after the crash every entry has its bytes, every stored document its entry, and
every submission set all of its members."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from simulators.core.db import open_database
from simulators.core.tls import requests_verify
from simulators.dmp.client import DmpClient
from simulators.dmp.store import DmpStore
from tests.dmp.conftest import cda_for, identity_for

ROOT = Path(__file__).resolve().parents[2]


def test_kill_during_iti41_burst_leaves_no_half_document(tmp_path: Path, pki, world) -> None:
    identity = identity_for(pki, world, "medecin-elise")
    proc = subprocess.Popen([sys.executable, "-m", "tests.dmp.serve_for_crash", str(tmp_path), str(pki.directory)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert url.startswith("https://"), url
        accepted: list[str] = []
        stop = threading.Event()

        def burst() -> None:
            client = DmpClient(url, identity, verify=requests_verify(pki), session="crash", timeout=10)
            while not stop.is_set():
                specs = [(cda_for(world, "elise", "medecin-elise", "ordonnance", body=os.urandom(20_000)), ())
                         for _ in range(2)]
                try:
                    result = client.feed(specs)
                except Exception:  # noqa: BLE001 - the server is being killed
                    return
                if result.ok:
                    accepted.append(result.submission.submission_set.unique_id)  # type: ignore[union-attr]

        threads = [threading.Thread(target=burst) for _ in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(accepted) < 8 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
    assert len(accepted) >= 8
    db = open_database(f"sqlite:///{tmp_path / 'bench-data' / 'bench.db'}")
    store = DmpStore(db)
    entries, docs, sets, assocs = (store.t[n] for n in ("entries", "docs", "subsets", "assocs"))
    with db.engine.connect() as conn:
        entry_uids = set(conn.execute(select(entries.c.unique_id).where(entries.c.session == "crash")).scalars())
        doc_uids = set(conn.execute(select(docs.c.unique_id).where(docs.c.session == "crash")).scalars())
        set_rows = conn.execute(select(sets.c.entry_uuid, sets.c.unique_id).where(sets.c.session == "crash")).all()
        members = Counter(r.source for r in conn.execute(select(assocs.c.source, assocs.c.type)
                                                         .where(assocs.c.session == "crash")) if r.type.endswith("HasMember"))
        sizes = {r.unique_id: r.size for r in conn.execute(select(docs.c.unique_id, docs.c.size, docs.c.content)
                                                             .where(docs.c.session == "crash"))}
    db.dispose()
    assert entry_uids == doc_uids
    registered = {r.unique_id for r in set_rows}
    assert set(accepted) <= registered
    # seeded lots hold one document; fed lots two documents and their signature, never fewer
    assert Counter(members[r.entry_uuid] for r in set_rows) == {1: 11, 3: len(registered) - 11}
    assert all(size and size > 0 for size in sizes.values())
