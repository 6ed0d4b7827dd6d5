"""The stdlib's compat32 MIME parse of a well-formed message, without its line-by-line body loop.

`email`'s FeedParser reads a 70 KB submission one line at a time through generators (~2 ms of CPU,
the largest single cost of an SMTP submission). The Message tree it builds is fully determined by
where the header blocks end and where the boundary lines are; this module finds those with str
searches, lets the stdlib itself parse every header block (headers-only parse: same header objects,
same header defects), and slices the bodies, preambles and epilogues as the FeedParser's rules do
(RFC 2046: the line break before a boundary belongs to the boundary).

It answers only when the message is plainly well formed — CRLF line ends throughout, every part with
a header block closed by an empty line, every multipart with its boundary, a start and a close
delimiter, no repeated delimiter lines, no message/* or multipart/digest part — and returns None
otherwise, the caller then running the stdlib parser: anything the stdlib would flag as a structural
defect takes the stdlib path. tests/mss/test_mime_split.py compares both trees attribute by attribute.
"""

from __future__ import annotations

import re
from email.feedparser import headerRE
from email.message import Message
from email.parser import Parser
from email.policy import compat32

_HEADERS = Parser(policy=compat32)
MAX_DEPTH = 20  # deeper nesting: the stdlib parser (which recurses too) decides


class _NotPlain(Exception):
    """The message is not plainly well formed: the stdlib parser must decide."""


def split_message(raw: bytes) -> Message | None:
    """`email.message_from_bytes(raw, policy=compat32)` for a plainly well-formed message, else None."""
    text = raw.decode("ascii", "surrogateescape")  # what BytesParser does
    crlf = text.count("\r\n")
    if text.count("\r") != crlf or text.count("\n") != crlf:  # a bare CR or LF ends lines differently
        return None
    try:
        msg, _ = _part(text, 0, len(text), 0)
    except _NotPlain:
        return None
    return msg


def _part(text: str, start: int, end: int, depth: int) -> tuple[Message, int]:
    """The part in text[start:end] (end: where the enclosing boundary line starts); (message, body start)."""
    blank = text.find("\r\n\r\n", start, end)
    if blank < 0 or depth > MAX_DEPTH:  # no blank line (a part without headers fails headerRE below)
        raise _NotPlain
    block = text[start:blank + 2]
    lines = block[:-2].split("\r\n")
    if not all(headerRE.match(line) for line in lines):  # a line that is no header
        raise _NotPlain
    if lines[-1].startswith("From ") and len(lines) > 1:  # taken for the first body line by the FeedParser
        raise _NotPlain
    msg = _HEADERS.parsestr(block + "\r\n", headersonly=True)
    body = blank + 4
    maintype = msg.get_content_maintype()
    if maintype == "message" or msg.get_content_type() == "multipart/digest":
        raise _NotPlain
    if maintype != "multipart":
        msg._payload = text[body:end]  # noqa: SLF001 - the attribute the FeedParser sets
        return msg, body
    _multipart(msg, text, body, end, depth)
    return msg, body


def _multipart(msg: Message, text: str, start: int, end: int, depth: int) -> None:
    boundary = msg.get_boundary()
    if boundary is None or str(msg.get("content-transfer-encoding", "8bit")).lower() not in ("7bit", "8bit", "binary"):
        raise _NotPlain
    separator = "--" + boundary
    boundary_re = re.compile("(?P<sep>" + re.escape(separator) + r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$")
    lines = _boundary_lines(text, separator, boundary_re, start, end)  # (line start, line end, is close)
    if len(lines) < 2 or lines[0][2] or not lines[-1][2] or any(close for _, _, close in lines[1:-1]):
        raise _NotPlain  # no start or close delimiter, or parts after the close one (a repeated delimiter line, which the FeedParser skips, makes an empty part: refused by `_part`)
    if lines[0][0] > start:  # the preamble, without the line break that belongs to the boundary
        preamble = text[start:lines[0][0]]
        msg.preamble = preamble[:len(preamble) - _eol_length(preamble)]
    msg._payload = []  # noqa: SLF001 - attach() appends to it, as the FeedParser's parts do
    for (_, part_start, _), (part_end, _, _) in zip(lines, lines[1:], strict=False):
        part, _ = _part(text, part_start, part_end, depth + 1)
        if part.get_content_maintype() == "multipart":  # the line break before the boundary is not epilogue
            epilogue = part.epilogue
            if epilogue == "":
                part.epilogue = None
            elif epilogue is not None:
                part.epilogue = epilogue[:len(epilogue) - _eol_length(epilogue)]
        else:
            payload = part._payload  # noqa: SLF001
            part._payload = payload[:len(payload) - _eol_length(payload)]  # noqa: SLF001
        msg.attach(part)
    msg.epilogue = text[lines[-1][1]:end]


def _eol_length(text: str) -> int:
    """The length of what the FeedParser's `NLCRE_eol` (`(\\r\\n|\\r|\\n)\\Z`) finds, without its scan of
    the whole string (a regex search for an end anchor tries every position: 0.3 ms on 70 KB)."""
    if text.endswith("\r\n"):
        return 2
    return 1 if text.endswith(("\r", "\n")) else 0


def _boundary_lines(text: str, separator: str, boundary_re: re.Pattern[str], start: int,
                    end: int) -> list[tuple[int, int, bool]]:
    """Every line of text[start:end] the FeedParser takes for a boundary of this multipart."""
    found: list[tuple[int, int, bool]] = []
    starts = [start] if text.startswith(separator, start, end) else []
    at = text.find("\r\n" + separator, start, end)
    while at >= 0 or starts:
        if not starts:
            starts.append(at + 2)
            at = text.find("\r\n" + separator, at + 2, end)
        line_start = starts.pop()
        line_end = text.find("\r\n", line_start, end)
        line_end = end if line_end < 0 else line_end + 2
        match = boundary_re.match(text[line_start:line_end])
        if match:
            found.append((line_start, line_end, bool(match.group("end"))))
    return found
