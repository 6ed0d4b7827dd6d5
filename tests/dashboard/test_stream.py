"""The live feed: batched SSE frames at 200+ exchanges per second, replay after a reconnection."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

from simulators.core.exchange import Exchange
from simulators.dashboard.stream import ExchangeFeed, FeedSettings
from tests.dashboard.conftest import start_bench
import contextlib


class SseReader:
    """Reads an SSE response in a thread: (event, id, data) tuples. Plain http.client, so that
    closing really shuts the socket (the server notices on its next write)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        self.conn.request("GET", f"{parts.path}?{parts.query}", headers=headers or {})
        self.sock = self.conn.sock  # the response keeps using it after the connection lets go
        self.response = self.conn.getresponse()
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")
        self.events: list[tuple[str, str, object]] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        event, event_id, data = "message", "", []
        try:
            while True:
                raw = self.response.readline()
                if not raw:
                    return
                line = raw.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if data:
                        self.events.append((event, event_id, json.loads("\n".join(data))))
                    event, event_id, data = "message", "", []
                elif line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("id: "):
                    event_id = line[4:]
                elif line.startswith("data: "):
                    data.append(line[6:])
        except Exception:  # noqa: BLE001 - the socket was shut down by close()
            pass

    def rows(self) -> list[dict]:
        return [row for event, _, data in list(self.events) if event == "exchanges" for row in data]  # type: ignore[union-attr]

    def frames(self) -> int:
        return sum(1 for event, _, _ in list(self.events) if event == "exchanges")

    def wait_rows(self, n: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.rows()) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.rows()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.thread.join(5)
        self.conn.close()


def drive_echo(url: str, total: int, threads: int = 4, session: str = "live") -> float:
    """Send `total` echo requests over keep-alive connections; returns the achieved rate per second."""
    per_thread = total // threads

    def worker() -> None:
        with requests.Session() as http:
            for i in range(per_thread):
                http.post(f"{url}/s/{session}/echo", data=f"MESSAGE {i}".encode(), headers={"Content-Type": "text/plain"})

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return per_thread * threads / (time.perf_counter() - started)


def test_feed_batches_bus_events_into_few_frames(tmp_path: Path) -> None:
    bench = start_bench(tmp_path)
    try:
        rt = bench.runtime
        stop = threading.Event()
        feed = ExchangeFeed(rt.events, rt.journal, "s", settings=FeedSettings(interval_s=0.1), stop=stop)
        frames: list[str] = []
        reader = threading.Thread(target=lambda: frames.extend(feed.frames()), daemon=True)
        reader.start()
        time.sleep(0.3)  # subscribed
        started = time.monotonic()
        for i in range(1000):
            rt.journal.record(Exchange(session="s" if i % 2 == 0 else "other", service="echo", operation="echo",
                                       started_at=time.time()))
        deadline = time.monotonic() + 5
        while feed.sent < 500 and time.monotonic() < deadline:
            time.sleep(0.02)
        elapsed = time.monotonic() - started
        stop.set()
        reader.join(5)
        assert feed.sent == 500  # only the feed's session
        # one frame per 100 ms period at most (+ the retry line and a partial period), never one per exchange
        assert feed.frames_sent <= elapsed / 0.1 + 3 and feed.frames_sent < 50, (feed.frames_sent, elapsed)
        assert frames[0].startswith("retry: ")
        payloads = [json.loads(f.split("data: ", 1)[1]) for f in frames if "event: exchanges" in f]
        assert sum(len(p) for p in payloads) == 500 and {r["session"] for p in payloads for r in p} == {"s"}
    finally:
        bench.stop()


def test_sse_keeps_up_with_200_exchanges_per_second_and_replays_after_reconnect(tmp_path: Path) -> None:
    """Real echo traffic plus exchanges recorded straight into the journal (as the mail servers
    do), so the feed sees well over 200 exchanges a second whatever this machine's HTTP speed."""
    bench = start_bench(tmp_path, feed=FeedSettings(interval_s=0.15))
    try:
        journal = bench.runtime.journal
        stream_url = bench.admin_url + "/ui/api/stream?session=live"
        reader = SseReader(stream_url)
        time.sleep(0.3)
        echo_total, direct_total = 400, 1600

        def direct() -> None:
            for _ in range(direct_total // 100):
                for _ in range(100):
                    journal.record(Exchange(session="live", service="mss", operation="smtp.send",
                                            protocol="smtp", started_at=time.time(), status=250))
                time.sleep(0.05)

        started = time.perf_counter()
        recorder = threading.Thread(target=direct)
        recorder.start()
        drive_echo(bench.url("echo"), echo_total)
        recorder.join()
        total = echo_total + direct_total
        rows = reader.wait_rows(total)
        elapsed = time.perf_counter() - started
        reader.close()
        assert len(rows) == total and len({r["id"] for r in rows}) == total
        assert total / elapsed >= 200, f"{total / elapsed:.0f} exchanges/s through the feed"
        frames = reader.frames()
        assert frames < total / 20, f"{frames} frames for {total} exchanges: not batched"
        assert {r["service"] for r in rows} == {"echo", "mss"} and {r["session"] for r in rows} == {"live"}

        ordered = sorted(r["id"] for r in rows)
        replay = SseReader(stream_url, headers={"Last-Event-ID": ordered[99]})
        replayed = [r["id"] for r in replay.wait_rows(total - 100)]
        replay.close()
        assert set(ordered[100:]) <= set(replayed) <= set(ordered)  # a second before the resume point too
        assert len(replayed) == len(set(replayed))
        rewound = [i for i in replayed if i <= ordered[99]]
        assert all(int(i[:12], 16) >= int(ordered[99][:12], 16) - 1000 for i in rewound)
    finally:
        bench.stop()


def test_stream_ends_when_the_bench_stops(tmp_path: Path) -> None:
    bench = start_bench(tmp_path)
    reader = SseReader(bench.admin_url + "/ui/api/stream?session=default")
    time.sleep(0.2)
    started = time.monotonic()
    bench.stop()
    assert time.monotonic() - started < 5
    reader.close()
