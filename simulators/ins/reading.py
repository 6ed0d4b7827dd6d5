"""A recorded INSi exchange as the conformance checks read it: the request through the server codec,
the answer through the client codec. The request the server already read, and the CR of an answer it
built (for those exact bytes), are taken from `Exchange.decoded` (in memory, live checks); an exchange
read back from a journal is parsed. Readings
are memoised per exchange id, so the checks of one exchange share them.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from simulators.core.errors import ProtocolError
from simulators.core.exchange import Exchange

from simulators.ins.client_codec import InsiServiceFault, parse_response
from simulators.ins.codec import DECODED_ANSWER, DECODED_REQUEST, parse_request
from simulators.ins.faults import InsiFault
from simulators.ins.model import InsiRequest


@dataclass(frozen=True)
class Reading:
    """One exchange as the checks see it: the request (or why it is unreadable) and the CR."""

    request: InsiRequest | None
    error: str  # French, when the request could not be read at all
    cr: str  # "" when the answer is a fault or unreadable
    fault: str  # siram:Erreur code of a fault answer


_CACHE: OrderedDict[str, Reading] = OrderedDict()
_CACHE_SIZE = 512


def read(exchange: Exchange) -> Reading:
    cached = _CACHE.get(exchange.id)
    if cached is not None:
        return cached
    request, error = exchange.decoded.get(DECODED_REQUEST), ""
    if request is None:
        try:
            request, _ = parse_request(exchange.request_body, content_type(exchange))
        except (ProtocolError, InsiFault) as exc:
            error = getattr(exc, "message", None) or getattr(exc, "detail", "") or str(exc)
    cr = fault = ""
    answered = exchange.decoded.get(DECODED_ANSWER)
    if answered is not None and answered[0] == exchange.response_body:  # the very bytes the server built
        cr = answered[1]
    else:
        try:
            cr = parse_response(exchange.response_body, exchange.status).cr
        except InsiServiceFault as exc:
            fault = exc.fault.erreur_code
        except (ProtocolError, ValueError):
            pass
    reading = Reading(request, error, cr, fault)
    _CACHE[exchange.id] = reading
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return reading


def content_type(exchange: Exchange) -> str:
    return next((v for k, v in exchange.request_headers.items() if k.lower() == "content-type"), "")
