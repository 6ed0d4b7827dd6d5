"""The shared CDA codec: both builders read back by the one parser; what is not a CDA is a CdaError."""

from __future__ import annotations

from datetime import datetime, UTC

import pytest

from simulators.codecs import cda
from simulators.codecs.cda import CdaError
from simulators.codecs.errors import BenchError, ProtocolError

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PATIENT = cda.CdaPatient("2840975123456", "1.2.250.1.213.1.4.10", "MARTIN", "Élise", "F", "1984-09-07")
AUTHOR = cda.CdaAuthor("810000000001", "DURAND", "Paul", "10", "1.2.250.1.71.1.2.7", "1750000001", "Clinique")
KIND = cda.DocumentKind("11488-4", cda.LOINC, "Compte rendu de consultation", "10")


def test_full_header_round_trip() -> None:
    data = cda.build_cda(cda.CdaSpec(kind=KIND, patient=PATIENT, author=AUTHOR, unique_id="1.2.3.4", effective_time=NOW,
                                     replaces="1.2.3.3", title="CR"))
    assert data.startswith(b"<?xml") and cda.build_cda(cda.CdaSpec(kind=KIND, patient=PATIENT, author=AUTHOR,
                                                                    unique_id="1.2.3.4", effective_time=NOW,
                                                                    replaces="1.2.3.3", title="CR")) == data
    h = cda.parse_cda(data)
    assert (h.id_root, h.unique_id, h.code, h.code_system, h.title) == ("1.2.3.4", "1.2.3.4", "11488-4", cda.LOINC, "CR")
    assert (h.ins, h.ins_oid, h.family, h.given, h.birth_time, h.sex) == (PATIENT.ins, PATIENT.ins_oid, "MARTIN", "Élise",
                                                                          "19840907", "F")
    assert (h.confidentiality, h.author_id, h.author_structure) == ("N", "810000000001", "1750000001")
    assert h.replaces == h.related_document == "1.2.3.3"
    assert h.effective_time == "20260301120000+0000" and h.ins_qualified


def test_minimal_header_round_trip_and_padding() -> None:
    spec = cda.MinimalCdaSpec(doc_id="1.2.250.1.999.1", code="11488-4", code_label="CR", title="CR <test>",
                              ins=PATIENT.ins, ins_oid=PATIENT.ins_oid, family="MARTIN", given="Élise",
                              birth_date="19840907", sex="F", author_rpps="10000000001")
    data = cda.build_minimal_cda(spec)
    h = cda.parse_cda(data)
    assert (h.unique_id, h.title, h.set_id, h.version, h.ins, h.author_id) == (
        "1.2.250.1.999.1", "CR <test>", "1.2.250.1.999.1.1", "1", PATIENT.ins, "810000000001")
    assert h.ins_qualified
    padded = cda.build_minimal_cda(cda.MinimalCdaSpec(**{**spec.__dict__, "padding": 1000}))
    assert len(padded) == len(data) + 1000


def test_an_ins_without_its_traits_is_not_qualified() -> None:
    data = cda.build_minimal_cda(cda.MinimalCdaSpec(doc_id="1.2", code="1", code_label="x", title="x", ins="2840975123456",
                                                    ins_oid="1.2.250.1.213.1.4.10", family="", given="Élise",
                                                    birth_date="19840907", sex="F"))
    assert not cda.parse_cda(data).ins_qualified


@pytest.mark.parametrize(("data", "reason"), [
    (b"<ClinicalDocument xmlns='urn:hl7-org:v3'><id root='1'/>", "cda_xml"),  # not well-formed
    (b"%PDF-1.4", "cda_xml"),
    (b'<!DOCTYPE x [<!ENTITY a "b">]><ClinicalDocument xmlns="urn:hl7-org:v3"/>', "cda_xml"),
    (b"<Bundle xmlns='http://hl7.org/fhir'/>", "cda_root"),
    (b"<ClinicalDocument/>", "cda_root"),  # no namespace: refused unless asked
])
def test_malformed_cda_is_refused_with_the_codec_error(data: bytes, reason: str) -> None:
    with pytest.raises(CdaError) as refused:
        cda.parse_cda(data)
    assert refused.value.reason == reason and refused.value.detail
    assert isinstance(refused.value, ProtocolError) and isinstance(refused.value, BenchError)
    assert isinstance(refused.value, ValueError)  # what the MSSanté callers have always caught


def test_any_namespace_is_an_explicit_choice() -> None:
    h = cda.parse_cda(b"<ClinicalDocument><title>t</title></ClinicalDocument>", any_namespace=True)
    assert h.unique_id == "" and h.title == ""  # read in the HL7 namespace only: nothing found, nothing invented
