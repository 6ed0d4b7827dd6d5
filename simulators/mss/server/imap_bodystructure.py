"""BODYSTRUCTURE with the Content-Disposition as RFC 3501/9051 §7.5.2 write it.

pymap 0.36 writes the disposition as one string, the raw header value (`"attachment;
filename=x.pdf"`), where the grammar wants `body-fld-dsp = "(" string SP body-fld-param ")" / nil`,
i.e. `("attachment" ("filename" "x.pdf"))`. Jakarta Mail then fails ("bad single part
disposition") and imapflow/imapclient lose the disposition and the file name. Upstream bug to report
against pymap (`pymap/parsing/response/fetch.py`, `String.build(self.content_disposition)` in the
`extended` properties of every BodyStructure class).

The fix lives here only: `StoreLoadedMessage` (what `imap_store.StoreMessage.load_content` returns)
builds subclasses of pymap's structures whose `extended` form has the disposition corrected (in
every one it is the third item from the end: disposition, language, location). pymap also counts
a part's header in its size and lines; corrected here too (second upstream bug to report).
"""

from __future__ import annotations

from typing import Any

from pymap.backend.dict.mailbox import LoadedMessage
from pymap.bytes import Writeable, WriteStream
from pymap.mime import MessageContent
from pymap.parsing.primitives import List, Nil, String
from pymap.parsing.response.fetch import (BodyStructure, ContentBodyStructure, MessageBodyStructure,
                                          MultipartBodyStructure, TextBodyStructure)


class Disposition(Writeable):
    """`("attachment" ("filename" "x.pdf"))`, or NIL without a usable header."""

    def __init__(self, header: Any) -> None:
        super().__init__()
        self.kind = str(getattr(header, "content_disposition", "") or "").strip() if header is not None else ""
        params = getattr(header, "params", None) or {}
        self.params = {str(k): str(v) for k, v in dict(params).items()}

    @property
    def _value(self) -> Writeable:
        if not self.kind:
            return Nil()
        params: Writeable = List([String.build(x) for kv in self.params.items() for x in kv]) if self.params \
            else Nil()
        return List([String.build(self.kind), params])

    def write(self, writer: WriteStream) -> None:
        self._value.write(writer)

    def __bytes__(self) -> bytes:
        return bytes(self._value)


def _with_disposition(extended: List, header: Any) -> List:
    items = list(extended.items)
    items[-3] = Disposition(header)
    return List(items)


class _Fixed:
    __slots__ = ()
    content_disposition: Any  # of the pymap body structure this mixin is combined with

    @property
    def extended(self) -> List:
        return _with_disposition(super().extended, self.content_disposition)  # type: ignore[misc]


class FixedMultipart(_Fixed, MultipartBodyStructure):
    __slots__ = ()


class FixedContent(_Fixed, ContentBodyStructure):
    __slots__ = ()


class FixedText(_Fixed, TextBodyStructure):
    __slots__ = ()


class FixedMessage(_Fixed, MessageBodyStructure):
    __slots__ = ()


class StoreLoadedMessage(LoadedMessage):
    """pymap's loaded message, building the corrected structures. Sizes and line counts are those of the
    part's body (RFC 9051 body-fld-octets/lines), not of body and header as pymap counts them."""

    @classmethod
    def _get_size_with_lines(cls, msg: MessageContent) -> tuple[int, int]:
        return len(msg.body), msg.body.lines

    @classmethod
    def _get_body_structure(cls, msg: MessageContent) -> BodyStructure:
        parsed = msg.header.parsed
        maintype, subtype = msg.body.content_type.maintype, msg.body.content_type.subtype
        common = (cls._get_params(msg), parsed.content_disposition, parsed.content_language,
                  parsed.content_location)
        if maintype == "multipart":
            return FixedMultipart(subtype, *common, [cls._get_body_structure(p) for p in msg.body.nested])
        details = (parsed.content_id, parsed.content_description, parsed.content_transfer_encoding, None)
        size, lines = cls._get_size_with_lines(msg)
        if maintype == "message" and subtype == "rfc822":
            inner = msg.body.nested[0]
            return FixedMessage(*common, *details, size, lines, cls._get_envelope_structure(inner),
                                cls._get_body_structure(inner))
        if maintype == "text":
            return FixedText(subtype, *common, *details, size, lines)
        return FixedContent(maintype, subtype, *common, *details, size)
