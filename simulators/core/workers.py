"""Worker processes of `socle-bench serve --workers N`: the HTTP simulators on every core.

One process is bounded by one interpreter lock. With N > 1 the master (the `Bench`: admin API,
dashboard, SMTP/IMAP and every HTTP simulator port) binds the HTTP simulator ports and starts N-1
worker processes (spawned: no fork of a process that runs threads), which inherit those listening
sockets. Each worker builds its own runtime over the same configuration, data directory and database
file; every process accepts on the shared sockets in turn, least connections first (balance.py), so a
client's keep-alive connections are spread evenly whatever their addresses hash to.

State is shared through the database opened as shared (`Database.shared`: sessions, fault rules, the
services' tables, signing keys, PSC grants, the change feed that invalidates in-memory caches), as
for replicas on PostgreSQL (docs/replicas.md). One pipe per worker carries what is not in the
database: the worker's bus events to the master's bus (only while someone listens there, as the
journal publishes only then), "refresh now" after an admin write (acknowledged, so an answer of the
admin API means every worker already sees the change), and "stop". docs/workers.md lists the limits.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .config import BenchConfig
from .errors import BenchError
from .events import EventBus, Subscription
from .exchange import new_exchange_id
from .balance import Balance
from .judge import load_soon
from .memory import settle
from .lifecycle import WsgiServer
from .runtime import Runtime, build_runtime, close_runtime

log = logging.getLogger("socle_bench.workers")

READY_TIMEOUT_S = 120.0  # a worker imports and builds everything (world, caches) before it is ready
STOP_TIMEOUT_S = 10.0  # then SIGTERM, then SIGKILL
REFRESH_TIMEOUT_S = 2.0  # how long an admin write waits for the workers to reload what it changed
_STEADY_S = 10.0  # a worker that lived this long had started well: its restart is immediate


class WorkerError(BenchError, RuntimeError):
    """A worker process could not be started (the message says which and why)."""


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to build its part of the bench; pickled into the spawned process."""

    config: BenchConfig  # the master's, with the HTTP simulators' concrete ports and 0 for the others
    factories: Sequence[Any]  # the master's simulator factories (built again in the worker)
    http_ports: dict[str, int]  # port name -> port: the servers the worker serves
    live_checker: Any = None  # a picklable live checker, or None
    live_checker_factory: Callable[[], Any] | None = None  # else this builds it in the worker
    pki_dir: str | None = None
    db_schema: str | None = None
    log_level: int = logging.WARNING

    def check_picklable(self) -> None:
        try:
            pickle.dumps(self)
        except Exception as exc:  # pickling raises many types; all mean the same here
            raise WorkerError(f"workers > 1: the bench cannot be sent to a worker process ({exc}); factories "
                              "and the live checker must be importable by name (pass live_checker_factory=a "
                              "module-level function instead of a built live checker)") from exc


def process_tag() -> str:
    """The per-process tag ending every exchange id this process records (`exchange.new_exchange_id`)."""
    return new_exchange_id()[20:]


# --- master side ------------------------------------------------------------------------------------
class _Worker:
    """One worker process seen from the master, and the thread reading its pipe."""

    def __init__(self, pool: WorkerPool, process: Any, conn: Connection, slot: int) -> None:
        self.pool, self.process, self.conn, self.slot = pool, process, conn, slot
        self.started_at = time.monotonic()
        self.ready = threading.Event()
        self.info: dict[str, Any] = {}
        self.failure = ""
        self._send_lock = threading.Lock()
        self._acked = threading.Condition()
        self._refreshed = 0
        self._reader = threading.Thread(target=self._read, name=f"worker-link-{process.pid}", daemon=True)
        self._reader.start()

    def send(self, message: tuple[Any, ...]) -> bool:
        with self._send_lock:
            try:
                self.conn.send(message)
                return True
            except (OSError, ValueError):  # the worker is gone (its pipe is closed)
                return False

    def refresh(self, seq: int, deadline: float) -> bool:
        """Ask for a reload now and wait (until `deadline`) for the worker to say it is done."""
        if not self.send(("refresh", seq)):
            return False
        with self._acked:
            return self._acked.wait_for(lambda: self._refreshed >= seq or not self.process.is_alive(),
                                        timeout=max(0.0, deadline - time.monotonic())) and self._refreshed >= seq

    def _read(self) -> None:
        bus = self.pool.events
        while True:
            try:
                kind, payload = self.conn.recv()
            except (EOFError, OSError):
                break
            except Exception:  # an unreadable message must not end the link
                log.warning("unreadable message from worker %s", self.process.pid, exc_info=True)
                continue
            if kind == "events":
                for event in payload:
                    bus.publish(event)
            elif kind == "refreshed":
                with self._acked:
                    self._refreshed = max(self._refreshed, int(payload))
                    self._acked.notify_all()
            elif kind == "ready":
                self.info = dict(payload)
                self.ready.set()
            elif kind == "failed":
                self.failure = str(payload)
                self.ready.set()
        self.ready.set()
        with self._acked:
            self._acked.notify_all()
        self.pool._ended(self)

    def close(self, timeout: float) -> None:
        self.send(("stop", None))
        self.process.join(timeout)
        if self.process.is_alive():
            log.warning("worker %s did not stop in %.0f s: SIGTERM", self.process.pid, timeout)
            self.process.terminate()
            self.process.join(2.0)
        if self.process.is_alive():
            log.warning("worker %s still alive: SIGKILL", self.process.pid)
            self.process.kill()
            self.process.join(2.0)
        self.conn.close()
        if threading.current_thread() is not self._reader:
            self._reader.join(2.0)


class WorkerPool:
    """The N-1 worker processes of a `Bench` with `workers=N`: started, watched, restarted, stopped."""

    def __init__(self, spec: WorkerSpec, count: int, events: EventBus, *, listening: dict[str, Any] | None = None,
                 ready_timeout_s: float = READY_TIMEOUT_S, stop_timeout_s: float = STOP_TIMEOUT_S) -> None:
        """`listening`: port name -> the master's listening socket of each HTTP simulator in `spec.http_ports`
        (the workers inherit them; `balance` is the master's turn on them, slot 0)."""
        spec.check_picklable()
        self.spec, self.count, self.events = spec, count, events
        self.ready_timeout_s, self.stop_timeout_s = ready_timeout_s, stop_timeout_s
        self._context = multiprocessing.get_context("spawn")
        self.listening = dict(listening or {})
        self.balance = Balance.shared(self._context, count + 1, tuple(sorted(spec.http_ports.values())))
        for slot in range(1, count + 1):
            self.balance.retire(slot)  # until its worker serves
        self.balance.join()
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._stopping: list[_Worker] = []
        self._closing = threading.Event()
        self._refresh_seq = 0
        self._quick_deaths = 0
        self.restarts = 0
        events.watch(self._listened)

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    @property
    def tags(self) -> list[str]:
        """The process tags of the ready workers (the end of the exchange ids each one records)."""
        return [w.info["tag"] for w in self._workers if w.info.get("tag")]

    def start(self) -> None:
        started = [self._spawn(slot) for slot in range(1, self.count + 1)]
        deadline = time.monotonic() + self.ready_timeout_s
        for worker in started:
            worker.ready.wait(max(0.0, deadline - time.monotonic()))
            if not worker.info:
                why = worker.failure or (f"not ready after {self.ready_timeout_s:.0f} s"
                                         if worker.process.is_alive() else "ended during start-up")
                self.stop()
                raise WorkerError(f"worker process {worker.process.pid}: {why}")

    def _spawn(self, slot: int) -> _Worker:
        ours, theirs = self._context.Pipe()
        shared = (self.listening, self.balance.for_slot(slot))  # sockets and shared memory: inherited by the spawn
        process = self._context.Process(target=worker_main, args=(self.spec, theirs, shared), daemon=True,
                                        name="socle-bench-worker")
        with self._lock:
            if self._closing.is_set():
                raise WorkerError("the bench is stopping")
            process.start()
            theirs.close()
            worker = _Worker(self, process, ours, slot)
            self._workers.append(worker)
            if self.events.has_subscribers:
                worker.send(("listen", True))
        return worker

    def _listened(self, _listened: bool) -> None:
        with self._lock:  # the current state, not the argument: two changes may race to get here
            listened = self.events.has_subscribers
            for worker in self._workers:
                worker.send(("listen", listened))

    def refresh(self, timeout: float = REFRESH_TIMEOUT_S) -> bool:
        """Every ready worker reloads sessions, fault rules and the change feed now; True when all said so."""
        with self._lock:
            self._refresh_seq += 1
            seq = self._refresh_seq
            workers = [w for w in self._workers if w.info]
        deadline = time.monotonic() + timeout
        confirmed = [w.refresh(seq, deadline) for w in workers]  # every worker asked, even after a failure
        return all(confirmed)

    def _ended(self, worker: _Worker) -> None:
        """A worker's pipe closed: expected when stopping, else the worker died and is started again."""
        if self._closing.is_set():
            return
        worker.process.join(5.0)
        lived = time.monotonic() - worker.started_at
        log.warning("worker process %s ended (exit code %s) after %.1f s: starting another",
                    worker.process.pid, worker.process.exitcode, lived)
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
        self.balance.retire(worker.slot)  # nobody leaves connections to a process that is gone
        worker.conn.close()
        self._quick_deaths = 0 if lived >= _STEADY_S else self._quick_deaths + 1
        if self._closing.wait(min(30.0, 2.0 ** self._quick_deaths - 1)):  # crash loops back off
            return
        try:
            replacement = self._spawn(worker.slot)
        except WorkerError:
            return
        self.restarts += 1
        if not replacement.ready.wait(self.ready_timeout_s) or not replacement.info:
            log.warning("restarted worker %s is not ready: %s", replacement.process.pid,
                        replacement.failure or "no answer")

    def begin_stop(self) -> None:
        """Tell every worker to stop (they stop in parallel with what the caller stops meanwhile)."""
        with self._lock:
            self._closing.set()
            self._stopping, self._workers = [*self._stopping, *self._workers], []
        for worker in self._stopping:
            worker.send(("stop", None))

    def stop(self) -> None:
        """Stop every worker and wait for it (SIGTERM, then SIGKILL, past `stop_timeout_s`)."""
        self.begin_stop()
        workers, self._stopping = self._stopping, []
        for worker in workers:
            worker.close(self.stop_timeout_s)


# --- worker side ------------------------------------------------------------------------------------
class _MasterLink:
    """The worker's end of the pipe: forwards its bus events while the master listens, obeys the master."""

    def __init__(self, conn: Connection, rt: Runtime, stop: threading.Event) -> None:
        self.conn, self.rt, self.stop = conn, rt, stop
        self._send_lock = threading.Lock()
        self._subscription: Subscription | None = None
        self._listening = threading.Event()
        self._threads = [threading.Thread(target=self._read, name="master-link", daemon=True),
                         threading.Thread(target=self._forward, name="event-forwarder", daemon=True)]
        for thread in self._threads:
            thread.start()

    def send(self, message: tuple[Any, ...]) -> bool:
        with self._send_lock:
            try:
                self.conn.send(message)
                return True
            except (OSError, ValueError):
                self.stop.set()  # the master is gone: nobody would stop this worker
                return False

    def _read(self) -> None:
        while not self.stop.is_set():
            try:
                kind, payload = self.conn.recv()
            except (EOFError, OSError):
                break
            if kind == "listen":
                self._listen(bool(payload))
            elif kind == "refresh":
                self._refresh()
                self.send(("refreshed", payload))
            elif kind == "stop":
                break
        self.stop.set()

    def _listen(self, on: bool) -> None:
        if on and self._subscription is None:
            self._subscription = self.rt.events.subscribe(maxsize=50_000)
            self._listening.set()
        elif not on and self._subscription is not None:
            self._listening.clear()
            subscription, self._subscription = self._subscription, None
            subscription.close()

    def _refresh(self) -> None:
        try:
            self.rt.sessions.refresh()
            self.rt.faults.refresh(force=True)
            self.rt.db.changes.poll(force=True)
        except Exception:  # a database hiccup: the periodic reloads catch up within a second
            log.warning("worker %s: reload after an admin write failed", os.getpid(), exc_info=True)

    def _forward(self) -> None:
        while not self.stop.is_set():
            subscription = self._subscription
            if subscription is None:
                self._listening.wait(0.5)
                continue
            first = subscription.get(timeout=0.2)
            if first is not None and not self.send(("events", [first, *subscription.drain(999)])):
                return

    def close(self) -> None:
        self.stop.set()
        self.conn.close()
        for thread in self._threads:
            thread.join(2.0)


def serve_http(spec: WorkerSpec, shared: tuple[dict[str, Any], Balance]) -> tuple[Runtime, list[WsgiServer]]:
    """Build this worker's runtime and start the HTTP simulators the master named, on the master's listening
    sockets (`shared`: those sockets by port name, and this worker's view of the connection counts)."""
    pki = None
    if spec.pki_dir:
        from .pki import Pki  # lazy: only with TLS

        pki = Pki.load(Path(spec.pki_dir))
    checker = spec.live_checker_factory() if spec.live_checker_factory is not None else spec.live_checker
    rt: Runtime = build_runtime(spec.config, live_checker=checker, pki=pki, db_schema=spec.db_schema, shared=True)
    listening, balance = shared  # the servers are built on ephemeral ports, then take these sockets
    served: list[WsgiServer] = []
    try:
        built = [server for factory in spec.factories for server in factory(rt)]
        for server in built:
            if isinstance(server, WsgiServer) and server.port_name in spec.http_ports:
                served.append(server)
            elif isinstance(server, WsgiServer):
                server.stop()  # never started: releases the ephemeral socket bound at construction
        rt.faults.refresh(force=True)
        for server in served:
            port_balance = balance.port(spec.http_ports[server.port_name])
            if port_balance is None or server.port_name not in listening:
                raise WorkerError(f"no listening socket from the master for {server.port_name}")
            server.share(port_balance, listening[server.port_name])
        balance.join()
        for server in served:
            server.start()
        settle()  # as the master does at the end of its start
        load_soon(checker)
    except BaseException:
        for server in served:
            server.stop()
        close_runtime(rt)
        raise
    return rt, served


def worker_main(spec: WorkerSpec, conn: Connection, shared: tuple[dict[str, Any], Balance]) -> None:  # pragma: no cover - runs in the spawned process
    """Entry point of a worker process: serve until the master says stop, SIGTERM, or the master is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the master stops us
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    logging.basicConfig(level=spec.log_level, format="%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s")
    try:
        rt, served = serve_http(spec, shared)
    except BaseException as exc:  # noqa: BLE001 - reported to the master, which fails its start
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        conn.close()
        return
    link = _MasterLink(conn, rt, stop)
    link.send(("ready", {"pid": os.getpid(), "tag": process_tag(), "ports": [s.port for s in served]}))
    stop.wait()
    rt.faults.stopping.set()
    for server in reversed(served):
        server.stop()
    close_runtime(rt)  # the journal is flushed: every exchange answered is recorded
    link.close()
