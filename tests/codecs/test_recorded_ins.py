"""INSi recorded faults (tests/fixtures/ins/live-fault-desir-550.xml, README.md there) read with the
project's SOAP 1.2 fault codec; a wrong namespace and a missing Code are refused."""

from __future__ import annotations

import pytest

from simulators.core.errors import ProtocolError, SoapError
from simulators.codecs.soap import SOAP12_NS, parse_fault
from simulators.codecs.xmlsafe import parse_xml
from simulators.ins.faults import FAULTS, render_fault
from tests.codecs.recorded import read, xml_paths

RECORDED = read("ins", "live-fault-desir-550.xml")


def test_insi_fault_facts() -> None:
    fault = parse_fault(RECORDED, "application/soap+xml")
    assert fault.code == "Sender"
    assert fault.subcodes == [(SOAP12_NS, "siram_100")]
    assert fault.lang == "fr" and fault.reason
    [detail] = fault.detail
    assert (detail.tag, detail.get("code"), detail.get("severite")) == ("{urn:siram}Erreur", "desir_550", "erreur")


def test_insi_fault_mutations_are_refused() -> None:
    with pytest.raises(SoapError) as caught:
        parse_fault(RECORDED.replace(SOAP12_NS.encode(), b"http://schemas.xmlsoap.org/soap/envelope/"), "application/soap+xml")
    assert caught.value.fault.code == "VersionMismatch"
    with pytest.raises(ProtocolError) as caught2:
        parse_fault(RECORDED.replace(b"Fault>", b"Faute>"), "application/soap+xml")
    assert caught2.value.reason == "not_a_fault"


def test_bench_insi_fault_has_the_recorded_structure() -> None:
    ours = render_fault(FAULTS["siram_100"], "urn:uuid:00000000-0000-4000-8000-000000000000")
    assert xml_paths(parse_xml(ours)) == xml_paths(parse_xml(RECORDED))
