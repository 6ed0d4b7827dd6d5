"""Framing attacks on every HTTP port of the bench (services and admin): the chunk size that killed
the werkzeug-based server, headers sent a byte at a time, a body shorter than its Content-Length,
and a pool exhaustion attempt. The process lives, stalled clients are cut, answers stay clean."""

from __future__ import annotations

import threading
import time

import pytest

from tests.hostile.conftest import Target
from tests.hostile.wire import LEAKS, connect, read_all, read_response, status_of

HTTP_PORTS = ("ins", "ins-cpx", "dmp", "ror", "annuaire", "psc", "admin")


def _open(target: Target, name: str):
    host, port, tls = target.origin(name)
    return connect(host, port, target.tls_context() if tls else None)


def _path(target: Target, name: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(target.urls[name]).path or "/"


@pytest.mark.parametrize("name", HTTP_PORTS)
def test_huge_chunk_size_then_close_is_refused_and_the_process_lives(target: Target, name: str) -> None:
    with _open(target, name) as sock:
        sock.sendall(f"POST {_path(target, name)} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/soap+xml"
                     "\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffff\r\nabc".encode())
        sock.shutdown(1) if not hasattr(sock, "unwrap") else None
        raw = read_all(sock)
    assert target.alive()
    assert status_of(raw) in (400, 408, 413), raw[:300]
    assert not LEAKS.search(raw), raw[:500]


@pytest.mark.parametrize("name", HTTP_PORTS)
def test_bad_chunk_sizes_get_a_400(target: Target, name: str) -> None:
    for size in (b"zz", b"-1", b"1" * 40, b"0x10"):
        with _open(target, name) as sock:
            sock.sendall(f"POST {_path(target, name)} HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked"
                         "\r\n\r\n".encode() + size + b"\r\nabc\r\n0\r\n\r\n")
            status, _, body = read_response(sock)
        assert status == 400, (size, body[:300])
        assert not LEAKS.search(body)
    assert target.alive()


def test_chunked_body_is_dechunked_by_the_server_and_keep_alive_goes_on(target: Target) -> None:
    from tests.ins.helpers import request_bytes

    body = request_bytes()
    pieces = [body[i:i + 700] for i in range(0, len(body), 700)]
    chunked = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\nX-Trailer: 1\r\n\r\n"
    head = (f"POST {_path(target, 'ins')} HTTP/1.1\r\nHost: localhost\r\n"
            "Content-Type: application/soap+xml;charset=UTF-8\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    with _open(target, "ins") as sock:
        for _ in range(2):  # the second request on the same connection proves the framing was consumed exactly
            sock.sendall(head + chunked)
            status, _headers, answer = read_response(sock)
            assert status == 200, answer[:300]
            assert b"CR>00<" in answer or b"CodeResultat" in answer


def _on_every_port(check) -> None:
    """Run one stalling client per port at once (the deadlines run concurrently: the suite stays short)."""
    failures: dict[str, BaseException] = {}

    def run(name: str) -> None:
        try:
            check(name)
        except BaseException as exc:  # noqa: BLE001 - reported below with the port's name
            failures[name] = exc

    threads = [threading.Thread(target=run, args=(name,)) for name in HTTP_PORTS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not failures, {k: repr(v) for k, v in failures.items()}


def test_headers_sent_slowly_are_cut(target: Target) -> None:
    def check(name: str) -> None:
        with _open(target, name) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\n")
            started = time.monotonic()
            cut = False
            while time.monotonic() - started < 12:  # a header line every 0.25 s: the 1 s deadline must cut us
                try:
                    sock.sendall(b"X-Slow: 1\r\n")
                    time.sleep(0.25)
                except OSError:
                    cut = True
                    break
                if sock.fileno() < 0:
                    break
            raw = b"" if cut else read_all(sock)
        assert time.monotonic() - started < 12, "a client sending headers slowly was not cut"
        assert cut or status_of(raw) in (0, 400, 408), raw[:200]

    _on_every_port(check)
    assert target.alive()


def test_body_shorter_than_content_length_gets_the_protocol_error_and_is_cut(target: Target) -> None:
    def check(name: str) -> None:
        with _open(target, name) as sock:
            sock.sendall(f"POST {_path(target, name)} HTTP/1.1\r\nHost: localhost\r\n"
                         "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"a\":".encode())
            status, headers, body = read_response(sock)
        assert status == 408, body[:300]
        assert not LEAKS.search(body), body[:300]
        assert headers.get("connection", "").lower() == "close"

    _on_every_port(check)
    assert target.alive()


def test_stalled_clients_cannot_exhaust_the_workers(target: Target) -> None:
    """Twice as many stalled clients as worker threads; a well-formed request still gets its answer."""
    from tests.ins.helpers import request_bytes

    stalled = []
    for _ in range(12):
        sock = _open(target, "ins")
        sock.sendall(b"POST / HTTP/1.1\r\nContent-Length: 50\r\n\r\nab")
        stalled.append(sock)
    try:
        reply = target.session().post(target.urls["ins"], data=request_bytes(), timeout=20,
                                      headers={"Content-Type": "application/soap+xml;charset=UTF-8"})
        assert reply.status_code == 200
    finally:
        for sock in stalled:
            sock.close()
    assert target.alive()


def test_body_over_the_limit_gets_the_protocol_413(target: Target) -> None:
    with _open(target, "ins") as sock:
        sock.sendall(f"POST {_path(target, 'ins')} HTTP/1.1\r\nHost: localhost\r\n"
                     "Content-Type: application/soap+xml\r\nContent-Length: 999999999999\r\n\r\n".encode())
        status, headers, body = read_response(sock)
    assert status == 413
    assert b"Fault" in body and headers["content-type"].startswith("application/soap+xml")
    with _open(target, "ror") as sock:  # chunked past the limit: the same answer, in FHIR
        sock.sendall(f"POST {_path(target, 'ror')}/Location/_search HTTP/1.1\r\nHost: localhost\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n".encode() + (b"100000\r\n" + b"a" * 0x100000 + b"\r\n") * 3)
        status, _, body = read_response(sock)
    assert status == 413 and b"OperationOutcome" in body


def test_silent_tls_client_does_not_stall_the_accept_loop(target: Target) -> None:
    import socket

    host, port, _ = target.origin("ins")
    silent = [socket.create_connection((host, port)) for _ in range(10)]
    try:
        from tests.ins.helpers import request_bytes

        reply = target.session().post(target.urls["ins"], data=request_bytes(), timeout=20,
                                      headers={"Content-Type": "application/soap+xml;charset=UTF-8"})
        assert reply.status_code == 200
    finally:
        for s in silent:
            s.close()
