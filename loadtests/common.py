"""Measurement helpers shared by the benchmarks: concurrent keep-alive clients and percentiles."""

from __future__ import annotations

import http.client
import signal
import ssl
import subprocess
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


def stop_process(proc: subprocess.Popen, *, timeout: float, interrupt: bool = False) -> None:
    """Stop a server the bench started (SIGTERM, or SIGINT for a quick gunicorn shutdown), then kill it
    if it is still there after `timeout` seconds."""
    if interrupt:
        proc.send_signal(signal.SIGINT)
    else:
        proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, q in [0, 1]; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(repr=False, default_factory=list)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        return percentile(self.latencies_ms, p / 100)

    def summary(self) -> dict:
        return {"requests": self.requests, "errors": self.errors, "seconds": round(self.seconds, 3),
                "per_second": round(self.per_second, 1), "p50_ms": round(self.percentile(50), 3),
                "p99_ms": round(self.percentile(99), 3),
                "mean_ms": round(statistics.fmean(self.latencies_ms), 3) if self.latencies_ms else 0.0}


def _status_ok(status: int, _body: bytes) -> bool:
    return status < 400


def client_tls(cafile: str | None, certfile: str | None = None, keyfile: str | None = None,
               password: str | None = None) -> ssl.SSLContext:
    """`cafile=None`: encrypt without verifying (a peer with its own self-signed certificate)."""
    if cafile is None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx = ssl.create_default_context(cafile=cafile)
    if certfile:
        ctx.load_cert_chain(certfile, keyfile, password=password)
    return ctx


def http_load_process(url: str, *, tls: dict | None = None, **kwargs) -> LoadResult:
    """`http_load` in a separate (spawned) process, so the client does not share the server's GIL.

    `tls` holds `client_tls` arguments (paths), since SSL contexts cannot cross processes.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_load_child, url, tls, kwargs).result()


def _load_child(url: str, tls: dict | None, kwargs: dict) -> LoadResult:
    if tls:
        kwargs["ssl_context"] = client_tls(**tls)
    return http_load(url, **kwargs)


def http_load(url: str, *, method: str = "POST", body: bytes = b"", headers: dict[str, str] | None = None,
              threads: int = 4, duration_s: float = 5.0, ssl_context: ssl.SSLContext | None = None,
              ok: Callable[[int, bytes], bool] = _status_ok,
              body_factory: Callable[[int], bytes] | None = None,
              request_factory: Callable[[int], tuple[str, dict[str, str], bytes] | None] | None = None,
              timeout_s: float = 30.0) -> LoadResult:
    """Hammer `url` from `threads` keep-alive connections for `duration_s` (bounded, loopback only).

    `request_factory(n)` gives the n-th request's (path and query, headers, body) — requests prepared
    before the run (the DUI's own work, not timed) replayed in order; None ends that thread's run.
    `ok`, `body_factory` and `request_factory` must be picklable (module-level functions, or
    `functools.partial` of one) when run through `http_load_process`.
    """
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    ready = getattr(request_factory, "ready", None)
    if callable(ready):
        ready()  # prepared requests loaded before the clock starts
    stop_at = time.perf_counter() + duration_s

    def connect() -> http.client.HTTPConnection:
        host = parts.hostname or "127.0.0.1"
        if host == "localhost":
            host = "127.0.0.1"
        if parts.scheme == "https":
            return http.client.HTTPSConnection(host, parts.port, context=ssl_context, timeout=timeout_s)
        return http.client.HTTPConnection(host, parts.port, timeout=timeout_s)

    def worker(i: int) -> None:
        conn = connect()
        n = 0
        while time.perf_counter() < stop_at:
            target, sent_headers = path, headers or {}
            if request_factory is not None:
                prepared = request_factory(i + n * threads)
                if prepared is None:
                    break
                target, sent_headers, payload = prepared
            else:
                payload = body_factory(i * 1_000_000 + n) if body_factory else body
            n += 1
            t0 = time.perf_counter()
            try:
                conn.request(method, target, body=payload or None, headers=sent_headers)
                resp = conn.getresponse()
                data = resp.read()
                if not ok(resp.status, data):
                    errors[i] += 1
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                conn = connect()
                continue
            latencies[i].append((time.perf_counter() - t0) * 1000.0)
        conn.close()

    return _run_workers(worker, threads, latencies, errors)


class PreparedRequests:
    """Requests prepared before a run (the DUI's own work), kept in a pickle file so that only its path
    crosses to the load process; loaded by `ready()` before the clock starts. `cycle`: replayed round
    robin (a query); else each sent once, and the run ends when they are used up (a feed)."""

    def __init__(self, path: str, requests: list[tuple[str, dict[str, str], bytes]] | None = None, *,
                 cycle: bool = False) -> None:
        self.path = path
        self.cycle = cycle
        self.count = 0
        self._requests: list[tuple[str, dict[str, str], bytes]] | None = None
        if requests is not None:
            import pickle  # lazy: only the benchmark's feeds use it

            with open(path, "wb") as out:
                pickle.dump(requests, out, protocol=pickle.HIGHEST_PROTOCOL)
            self.count = len(requests)

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "cycle": self.cycle, "count": self.count, "_requests": None}

    def ready(self) -> None:
        if self._requests is None:
            import pickle  # lazy: see above

            with open(self.path, "rb") as stored:
                self._requests = pickle.load(stored)  # noqa: S301 - a file this benchmark wrote just before

    def __call__(self, n: int) -> tuple[str, dict[str, str], bytes] | None:
        self.ready()
        assert self._requests is not None
        if self.cycle:
            return self._requests[n % len(self._requests)]
        return self._requests[n] if n < len(self._requests) else None


def _run_workers(worker: Callable[[int], None], threads: int, latencies: list[list[float]],
                 errors: list[int]) -> LoadResult:
    """Run `worker(i)` on `threads` threads; each fills its own latency list and error count."""
    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds = time.perf_counter() - started
    flat = [x for lat in latencies for x in lat]
    return LoadResult(requests=len(flat), errors=sum(errors), seconds=seconds, latencies_ms=flat)


@contextmanager
def spawned_server(target: Callable[..., None], work_dir: str, *extra: Any, daemon: bool = True) -> Iterator[Any]:
    """Run a benchmark's bench in its own (spawned) process, so it does not share the client's GIL:
    `target(work_dir, child_end, *extra)`; yields the parent end of the pipe, always reaps the process.
    `daemon=False` for a bench with worker processes (a daemonic process cannot start children)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=target, args=(work_dir, child, *extra), daemon=daemon)
    server.start()
    try:
        yield parent
    finally:
        server.join(30)
        if server.is_alive():
            server.terminate()


def smtp_load_process(host: str, port: int, **kwargs) -> LoadResult:
    """`smtp_load` in a separate (spawned) process, like `http_load_process`."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(smtp_load, host, port, **kwargs).result()


def smtp_load(host: str, port: int, *, sender: str, recipients: list[str], message: bytes, threads: int = 4,
              duration_s: float = 5.0) -> LoadResult:
    """Send `message` from `threads` SMTP connections, one transaction after another on each (as a
    DUI's outgoing queue does), for `duration_s`; one latency per accepted message."""
    import smtplib

    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    stop_at = time.perf_counter() + duration_s

    def worker(i: int) -> None:
        client = None
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                if client is None:
                    client = smtplib.SMTP(host, port, timeout=30)
                    client.ehlo("bench.socle-bench.test")
                refused = client.sendmail(sender, recipients, message)
                if refused:
                    errors[i] += 1
                    continue
            except (OSError, smtplib.SMTPException):
                errors[i] += 1
                client = None
                continue
            latencies[i].append((time.perf_counter() - t0) * 1000.0)
        if client is not None:
            with suppress(OSError, smtplib.SMTPException):
                client.quit()

    return _run_workers(worker, threads, latencies, errors)
