"""Sans-IO codecs: ebRIM round trips, stored-query values, HL7v3 and habilitation messages, CDA
builder and header validator, XAdES lot signature."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from simulators.codecs.xmlsafe import parse_xml, to_bytes
from simulators.dmp.cda import build_cda, read_cda_header
from simulators.dmp.codec import habilitations as hab
from simulators.dmp.codec import hl7v3, xds
from simulators.codecs.ebrim import parse_submit_objects, submit_objects_request
from simulators.dmp.journey import cda_for
from simulators.dmp.metadata import assemble, document_entry, ins_cx, submission_set, xds_author
from simulators.dmp.model import INVISIBLE_REPS, RPLC
from simulators.dmp.seed import professional_identity
from simulators.dmp.xades import SignatureProblem, build_signature, verify_signature


def _submission(world, signer=None):
    person, structure = professional_identity(world, "mecs-educateur")
    author = xds_author(person, structure)
    spec = cda_for(world, "elise", "mecs-educateur")
    data = build_cda(spec)
    entry = document_entry(spec, data, author, unique_id=spec.unique_id, visibility=(INVISIBLE_REPS,))
    ss = submission_set(ins_cx(spec.patient.ins, spec.patient.ins_oid), author)
    return assemble(ss, [(entry, data)], replaces={entry.entry_uuid: "urn:uuid:old"}, signer=signer), spec


def test_submit_objects_round_trip(world) -> None:
    sub, _spec = _submission(world)
    back = parse_submit_objects(parse_xml(to_bytes(submit_objects_request(sub))))
    entry, original = back.entries[0], sub.entries[0]
    assert back.submission_set.unique_id == sub.submission_set.unique_id
    assert back.submission_set.content_type.key == sub.submission_set.content_type.key
    for attr in ("unique_id", "patient_id", "hash", "size", "service_start", "title", "authors"):
        assert getattr(entry, attr) == getattr(original, attr), attr
    for attr in ("class_code", "type_code", "format_code", "facility_code", "practice_code"):
        assert getattr(entry, attr).key == getattr(original, attr).key, attr
    assert [c.key for c in entry.confidentiality] == [c.key for c in original.confidentiality]
    assert entry.visibility == {INVISIBLE_REPS}
    assert entry.authors[0].structure_ids == [professional_identity(world, "mecs-educateur")[1].structure_id]
    assert any(a.type == RPLC and a.target == "urn:uuid:old" for a in back.associations)


def test_stored_query_values() -> None:
    assert xds.parse_slot_values(["('a','b')", "'c'", "20250101", "('it''s')"]) == ["a", "b", "c", "20250101", "it's"]
    request = xds.adhoc_query_request(xds.FIND_DOCUMENTS, {"$XDSDocumentEntryPatientId": "X^^^&1.2&ISO^NH",
                                                           "$XDSDocumentEntryStatus": ["s1", "s2"],
                                                           "$XDSDocumentEntryCreationTimeFrom": "20250101"},
                                      return_type="ObjectRef")
    query = xds.parse_adhoc_query(parse_xml(to_bytes(request)))
    assert query.name == "FindDocuments" and query.return_type == "ObjectRef"
    assert query.params["$XDSDocumentEntryStatus"] == ["s1", "s2"]
    assert query.one("$XDSDocumentEntryCreationTimeFrom") == "20250101"


def test_registry_response_with_errors() -> None:
    el = xds.registry_response([xds.RegistryErrorItem("XDSPatientIdDoesNotMatch", "différent", "loc")])
    assert el.get("status") == xds.FAILURE
    assert xds.read_errors(el)[0] == xds.RegistryErrorItem("XDSPatientIdDoesNotMatch", "différent", "loc")


def test_hl7v3_creation_round_trip() -> None:
    request = hl7v3.PatientRequest(hl7v3.CREATE, "CREA_RD", "215017511112345", "1.2.250.1.213.1.4.10",
                                   family="MARTIN", given="LOU", gender="F", birth_date="2015-01-20",
                                   observations={"CONSENTEMENT_OUVERTURE_DMP": "true"},
                                   representatives=[hl7v3.Representative("RESPRSN", "ASE", "", "338678313804501")])
    back = hl7v3.parse_patient_request(parse_xml(to_bytes(hl7v3.build_patient_request(request))))
    assert (back.reason, back.ins, back.birth_date, back.observations) == (
        "CREA_RD", request.ins, "2015-01-20", {"CONSENTEMENT_OUVERTURE_DMP": "true"})
    assert back.representatives == request.representatives
    with pytest.raises(Exception):  # noqa: B017 - the decoder has no error of its own for a wrong root yet
        hl7v3.parse_patient_request(etree.Element("{urn:hl7-org:v3}MCCI_IN000002UV01"))


def test_habilitation_messages() -> None:
    req = hab.parse_request(hab.build_request(hab.HabilitationRequest(hab.SET, action="AJOUT", role="MEDECIN_TRAITANT")))
    assert (req.action, req.role) == ("AJOUT", "MEDECIN_TRAITANT")
    bad = etree.fromstring(b'<setAuthorization xmlns="urn:si-dmp-habilitations"><action>AUTRE</action></setAuthorization>')
    with pytest.raises(Exception, match="AUTRE"):
        hab.parse_request(bad)


def test_cda_header_is_valid_and_read(world) -> None:
    spec = cda_for(world, "elise", "mecs-psychologue", "bilan-psychologique")
    header = read_cda_header(build_cda(spec))
    assert header.ok, header.issues
    assert (header.unique_id, header.type_code, header.patient_ins) == (spec.unique_id, "83901-9", spec.patient.ins)


@pytest.mark.parametrize("mutation, code", [
    (lambda r: r.find("{urn:hl7-org:v3}recordTarget/{urn:hl7-org:v3}patientRole/{urn:hl7-org:v3}id").set("root", "1.2.3"), "cda_ins"),
    (lambda r: r.remove(r.find("{urn:hl7-org:v3}custodian")), "cda_custodian"),
    (lambda r: r.find("{urn:hl7-org:v3}confidentialityCode").set("code", "X"), "cda_confidentiality"),
    (lambda r: r.find("{urn:hl7-org:v3}author/{urn:hl7-org:v3}assignedAuthor/{urn:hl7-org:v3}id").set("root", "9"), "cda_author"),
    (lambda r: r.remove(r.find("{urn:hl7-org:v3}code")), "cda_code"),
])
def test_cda_header_problems_are_named(world, mutation, code: str) -> None:
    root = parse_xml(build_cda(cda_for(world, "elise", "mecs-psychologue")))
    mutation(root)
    issues = read_cda_header(to_bytes(root)).issues
    assert code in {i.code for i in issues} and all(i.message for i in issues)


def test_not_a_cda_is_reported() -> None:
    assert read_cda_header(b"%PDF-1.4").issues[0].code == "cda_xml"
    assert read_cda_header(b"<a/>").issues[0].code == "cda_root"


def test_xades_signature_verifies_and_detects_changes(pki, world) -> None:
    from simulators.dmp.journey import issue_org_certs

    _, sign = issue_org_certs(pki, world, "mecs-les-tilleuls")
    data = build_signature("1.2.3", [("4.5.6", b"doc")], pki.certificate(sign), pki.private_key(sign))
    facts = verify_signature(data, "1.2.3", {"4.5.6": b"doc"})
    assert facts.certificate.serial_number == pki.certificate(sign).serial_number
    with pytest.raises(SignatureProblem, match=r"4.5.6"):
        verify_signature(data, "1.2.3", {"4.5.6": b"autre"})
    with pytest.raises(SignatureProblem, match="lot"):
        verify_signature(data, "9.9.9", {"4.5.6": b"doc"})
    with pytest.raises(SignatureProblem, match="modifié"):
        verify_signature(data.replace(b"1.2.840.10065.1.12.1.14", b"1.2.840.10065.1.12.1.1"), "1.2.3", {"4.5.6": b"doc"})


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_vihf_in_generate_vihf_style_is_read() -> None:
    from simulators.dmp.valuesets import load_valuesets
    from simulators.dmp.vihf import parse_vihf

    vihf = parse_vihf(parse_xml((FIXTURES / "dmp_vihf_generate_vihf_style.xml").read_bytes()), load_valuesets())
    assert (vihf.auth_mode, vihf.patient_ins, vihf.roles[0].code, vihf.purpose_of_use) == (
        "INDIRECTE_RENFORCEE", "211099304821493", "93", "normal")
    assert vihf.lps_homologation == "DMP-TEST-0042" and vihf.nameid == "899700000000"


def test_find_documents_as_dmp_clients_send_it() -> None:
    query = xds.parse_adhoc_query(parse_xml((FIXTURES / "dmp_iti18_find_documents_request.xml").read_bytes()))
    assert query.name == "FindDocuments" and len(query.params["$XDSDocumentEntryStatus"]) == 2
    assert query.params["$XDSDocumentEntryTypeCode"] == ["83901-9^^2.16.840.1.113883.6.1", "68599-0^^2.16.840.1.113883.6.1"]
    assert query.one("$XDSDocumentEntryServiceStartTimeFrom") == "20241122000000"
