"""The chunked DATA reader: terminator, dot stuffing, limits, pipelined bytes."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from simulators.mss.server.smtp_data import read_data


def _read(wire: bytes, **kwargs) -> tuple[object, bytes]:
    async def go() -> tuple[object, bytes]:
        reader = asyncio.StreamReader()
        reader.feed_data(wire)
        reader.feed_eof()
        result = await read_data(reader, size_limit=kwargs.get("size_limit", 1000),
                                 line_limit=kwargs.get("line_limit", 100))
        return result, await reader.read()
    # a thread of its own: a browser test in the same worker may leave an event loop on this thread
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result()


def test_body_unstuffed_and_pipelined_bytes_kept() -> None:
    result, rest = _read(b"Subject: x\r\n\r\n..leading dot\r\nmid.dle\r\n.\r\nQUIT\r\n")
    assert result.content == b"Subject: x\r\n\r\n.leading dot\r\nmid.dle\r\n" and rest == b"QUIT\r\n"
    empty, rest = _read(b".\r\nNOOP\r\n")
    assert empty.content == b"" and rest == b"NOOP\r\n"


def test_limits_give_aiosmtpd_replies() -> None:
    big, rest = _read(b"a" * 50 + b"\r\n" + (b"b" * 60 + b"\r\n") * 40 + b".\r\nRSET\r\n")
    assert big.error.startswith("552") and rest == b"RSET\r\n"
    long, _ = _read(b"c" * 200 + b"\r\n.\r\n")
    assert long.error.startswith("500")
