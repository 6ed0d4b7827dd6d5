"""No evidence lost: `kill -9` on a real `socle-bench serve` during a burst of ITI-41 — every submission the
DUI saw acknowledged is in the journal after restart, and every acknowledged document is in the store.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from simulators.core.db import open_database
from simulators.core.pki import Pki
from simulators.core.tls import requests_verify
from simulators.dmp.client import DmpClient
from simulators.dmp.store import DmpStore
from tests.dmp.conftest import cda_for, identity_for
from tests.support.serve import database_url, journaled_request_bodies, kill_during_burst, serve

SESSION = "crash"


def _burst(url: str, identity, pki: Pki, world, acknowledged: list[str], stop: threading.Event) -> None:
    client = DmpClient(url, identity, verify=requests_verify(pki), session=SESSION, timeout=10)
    while not stop.is_set():
        specs = [(cda_for(world, "elise", "medecin-elise", "ordonnance", body=os.urandom(5_000)), ())]
        try:
            result = client.feed(specs)
        except Exception:  # noqa: BLE001 - the server is being killed
            return
        if result.ok:  # the DUI has the success answer in hand
            acknowledged.append(result.submission.submission_set.unique_id)  # type: ignore[union-attr]


def _kill_during_burst(tmp_path: Path, source_pki: Pki, world, database: str) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(source_pki.directory, data_dir / "pki")
    pki = Pki.load(data_dir / "pki")
    identity = identity_for(pki, world, "medecin-elise")
    served = serve(data_dir, database, "dmp")
    try:
        url = served.urls["dmp"]
        acknowledged = kill_during_burst(
            served, lambda acked, stop: _burst(url, identity, pki, world, acked, stop), at_least=12)
    finally:
        served.stop()
    assert len(acknowledged) >= 12
    again = serve(data_dir, database, "dmp")  # the restarted bench serves the evidence
    try:
        journaled = journaled_request_bodies(again.admin, SESSION, "dmp", 200)
    finally:
        again.stop()
    missing_evidence = [uid for uid in acknowledged if uid.encode() not in journaled]
    assert missing_evidence == [], f"{len(missing_evidence)}/{len(acknowledged)} acknowledged ITI-41 not journaled"
    db = open_database(database)
    store = DmpStore(db)
    with db.engine.connect() as conn:
        registered = set(conn.execute(select(store.t["subsets"].c.unique_id)
                                      .where(store.t["subsets"].c.session == SESSION)).scalars())
    db.dispose()
    assert set(acknowledged) <= registered


def test_kill_9_loses_no_acknowledged_iti41_on_sqlite(tmp_path: Path, pki: Pki, world) -> None:
    _kill_during_burst(tmp_path, pki, world, database_url("sqlite", tmp_path / "data"))


@pytest.mark.postgres
def test_kill_9_loses_no_acknowledged_iti41_on_postgresql(tmp_path: Path, pki: Pki, world, postgres_url: str,
                                                          pg_schema: str) -> None:
    _kill_during_burst(tmp_path, pki, world, database_url("postgresql", tmp_path / "data", postgres_url, pg_schema))
