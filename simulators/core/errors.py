"""The bench's exception tree as the runtime and the services import it.

The classes are defined in the codec layer (`simulators.codecs.errors`, and `SoapError` next to the
`SoapFault` it carries in `simulators.codecs.soap_fault`) so that pure codecs can raise them without
importing the runtime; this module re-exports them unchanged, so `except BenchError` anywhere catches
every refusal a codec raises. The tree is drawn in `simulators.codecs.errors`.
"""

from __future__ import annotations

from simulators.codecs.errors import BenchError, MtomError, ProtocolError, XmlRejected
from simulators.codecs.soap_fault import SoapError

__all__ = ["BenchError", "MtomError", "ProtocolError", "SoapError", "XmlRejected"]
