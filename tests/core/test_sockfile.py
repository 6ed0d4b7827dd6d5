"""The bench's socket files (simulators/core/sockfile.py) read and write as cheroot expects."""

from __future__ import annotations

import socket
import threading

import pytest

from simulators.core.sockfile import SocketReader, SocketWriter, make_file


@pytest.fixture
def pair():
    a, b = socket.socketpair()
    a.settimeout(5)
    b.settimeout(5)
    yield a, b
    a.close()
    b.close()


def test_readline_read_and_read1_across_receives(pair) -> None:
    a, b = pair
    reader = SocketReader(a)
    b.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    assert reader.readline() == b"GET / HTTP/1.1\r\n"
    assert reader.has_data()  # the next header line is already received
    assert reader.readline() == b"Host: x\r\n"
    assert not reader.has_data()
    threading.Timer(0.05, b.sendall, (b"\r\nbody-part-1",)).start()
    assert reader.readline() == b"\r\n"  # waits for the receive
    assert reader.read1(4) == b"body"
    b.sendall(b"-and-more")
    assert reader.read(12) == b"-part-1-and-"
    assert reader.bytes_read == len(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nbody-part-1-and-")
    b.shutdown(socket.SHUT_WR)
    assert reader.read() == b"more"  # up to the end of the stream
    assert reader.readline() == b"" and reader.read1() == b""


def test_readline_respects_its_limit_and_returns_the_rest_at_end_of_stream(pair) -> None:
    a, b = pair
    reader = SocketReader(a)
    b.sendall(b"0123456789\nabc")
    assert reader.readline(4) == b"0123"
    assert reader.readline(100) == b"456789\n"
    b.shutdown(socket.SHUT_WR)
    assert reader.readline(100) == b"abc"  # no LF before the end: what is left
    assert reader.read(10) == b""


def test_a_stalled_peer_raises_the_socket_timeout(pair) -> None:
    a, _ = pair
    a.settimeout(0.05)
    with pytest.raises(TimeoutError):
        SocketReader(a).readline()


def _received(sock: socket.socket, expected: int) -> list[bytes]:
    pieces: list[bytes] = []
    while sum(map(len, pieces)) < expected:
        pieces.append(sock.recv(65536))
    return pieces


def test_corked_headers_leave_with_the_first_body_chunk_and_streaming_is_not_held(pair) -> None:
    a, b = pair
    writer = SocketWriter(a)
    writer.cork()
    writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
    b.setblocking(False)
    with pytest.raises(BlockingIOError):
        b.recv(100)  # the headers wait for the body
    b.setblocking(True)
    writer.write(b"event-1")
    assert b"".join(_received(b, 26)) == b"HTTP/1.1 200 OK\r\n\r\nevent-1"
    writer.write(b"event-2")  # after the first chunk, write-through: a stream is never held
    assert b"".join(_received(b, 7)) == b"event-2"
    writer.uncork()
    assert writer.bytes_written == 33


def test_uncork_sends_headers_of_an_answer_without_body_and_discard_drops_them(pair) -> None:
    a, b = pair
    writer = SocketWriter(a)
    writer.cork()
    writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
    writer.uncork()
    assert b"".join(_received(b, 27)) == b"HTTP/1.1 204 No Content\r\n\r\n"
    writer.cork()
    writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
    writer.discard()  # a dropped connection answers nothing
    writer.write(b"x")
    assert b.recv(10) == b"x"
    with pytest.raises(TypeError):
        writer.write("text")


def test_make_file_gives_a_reader_or_a_writer(pair) -> None:
    a, _ = pair
    assert isinstance(make_file(a, "rb"), SocketReader)
    assert isinstance(make_file(a, "wb"), SocketWriter)


def test_the_bench_server_starts_its_whole_pool_with_the_quick_poll() -> None:
    from simulators.core.httpserver import HttpLimits, _ThreadPool, build_server

    server = build_server(lambda environ, start: [b""], "127.0.0.1", 0, None, HttpLimits(), name="pool")
    try:
        assert type(server.requests) is _ThreadPool
        assert len(server.requests._threads) == HttpLimits().threads
        assert all(worker.ready for worker in server.requests._threads)
    finally:
        server.stop()
