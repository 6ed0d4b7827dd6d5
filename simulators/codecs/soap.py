"""SOAP 1.2 envelope and fault codec with WS-Addressing 1.0, sans-IO: the one public entry point.

Envelopes and faults are *written* from byte templates rather than through lxml, because the
simulators must reproduce the real services' prefix styles byte for byte (INSi answers
`<soap:Envelope><env:Body xmlns:S=… xmlns:env=…><S:Fault>` with the same namespace under three
prefixes) and lxml picks prefixes itself. Payload elements are serialised by lxml, which carries
their namespace declarations along, so templates never need to know a payload's namespaces.

Every parsing failure surfaces as `SoapError` holding a Sender (or VersionMismatch) fault, so an
adapter answers with `fault_to_bytes(err.fault)` and nothing from lxml escapes to the wire.

The code is split by responsibility; import from here:
    soap_base        names, Content-Type helpers, byte-level writer primitives
    soap_addressing  WS-Addressing headers, read and written
    soap_fault       SoapFault, SoapError, fault serialisation
    soap_envelope    SoapEnvelope, parse_envelope, build_envelope, parse_fault, mustUnderstand
"""

from __future__ import annotations

from simulators.codecs.soap_addressing import Addressing
from simulators.codecs.soap_base import (
    FAULT_CODES,
    ROLE_NEXT,
    ROLE_NONE,
    ROLE_ULTIMATE_RECEIVER,
    SOAP11_NS,
    SOAP12_CONTENT_TYPE,
    SOAP12_MEDIA_TYPE,
    SOAP12_NS,
    WSA_HEADERS,
    WSA_NS,
    XML_NS,
    QName,
    QNameLike,
    XmlInput,
    parse_content_type,
    quote_param,
    soap12_content_type,
    to_qname,
)
from simulators.codecs.soap_envelope import (
    SoapEnvelope,
    build_envelope,
    check_media_type,
    check_must_understand,
    not_understood,
    parse_envelope,
    parse_fault,
)
from simulators.codecs.soap_fault import DetailInput, SoapError, SoapFault, build_fault, fault_to_bytes

__all__ = [
    "FAULT_CODES", "ROLE_NEXT", "ROLE_NONE", "ROLE_ULTIMATE_RECEIVER", "SOAP11_NS", "SOAP12_CONTENT_TYPE",
    "SOAP12_MEDIA_TYPE", "SOAP12_NS", "WSA_HEADERS", "WSA_NS", "XML_NS", "Addressing", "DetailInput", "QName",
    "QNameLike", "SoapEnvelope", "SoapError", "SoapFault", "XmlInput", "build_envelope", "build_fault",
    "check_media_type", "check_must_understand", "fault_to_bytes", "not_understood", "parse_content_type",
    "parse_envelope", "parse_fault", "quote_param", "soap12_content_type", "to_qname",
]
