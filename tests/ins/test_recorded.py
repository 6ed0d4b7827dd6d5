"""The simulator's answers against recorded answers of the real INSi (tests/fixtures/ins/README.md says where
each comes from): byte for byte where the live service's bytes are known, element by element otherwise."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from simulators.core.bench import Bench
from simulators.ins.faults import FAULTS, render_fault
from simulators.ins.model import TraitsQuery
from tests.ins.conftest import session_url
from tests.ins.helpers import post, request_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ins"

LIVE = {
    "live-ecetinsi-pierre-alain.xml": TraitsQuery("ECETINSI", ("PIERRE-ALAIN",), "M", "2009-07-14"),
    "live-adrun-zoe.xml": TraitsQuery("ADRUN", ("ZOE",), "F", "1975-12-31"),
}


@pytest.mark.parametrize("name", sorted(LIVE))
def test_answer_is_the_recorded_live_answer_byte_for_byte(http_bench: Bench, name: str) -> None:
    reply = post(session_url(http_bench, "recorded"), request_bytes(LIVE[name]))
    assert reply.status_code == 200
    assert reply.content == (FIXTURES / name).read_bytes()


def test_fault_is_the_recorded_fault_byte_for_byte() -> None:
    recorded = (FIXTURES / "live-fault-desir-550.xml").read_bytes()
    message_id = re.search(rb'messageID="([^"]+)"', recorded).group(1).decode()
    assert render_fault(FAULTS["siram_100"], message_id) == recorded


def _elements(data: bytes) -> list[tuple[str, Any, str]]:
    """Document order of (qualified tag, sorted attributes, stripped text): what a client reads."""
    root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True))
    return [(el.tag, sorted(el.attrib.items()), (el.text or "").strip()) for el in root.iter()
            if isinstance(el.tag, str)]


def test_cr01_matches_the_cnda_reference_element_by_element(http_bench: Bench) -> None:
    reply = post(session_url(http_bench, "recorded-01"), request_bytes(TraitsQuery("NOBODY", ("NEMO",), "M", "1901-01-01")))
    assert _elements(reply.content) == _elements((FIXTURES / "cnda-rep-cr01.xml").read_bytes())


def test_a_changed_answer_would_be_caught() -> None:
    """The comparison itself can fail: one element moved is a difference."""
    recorded = (FIXTURES / "live-ecetinsi-pierre-alain.xml").read_bytes()
    moved = recorded.replace(b"<DateDeb>2019-03-01</DateDeb><DateFin>2019-02-28</DateFin>", b"").replace(
        b"<INSHISTO><IdIndividu>", b"<INSHISTO><DateDeb>2019-03-01</DateDeb><DateFin>2019-02-28</DateFin><IdIndividu>")
    assert _elements(moved) != _elements(recorded)
