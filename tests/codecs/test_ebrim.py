"""The shared ebRIM codec: a Submission written and read back equal; what is not a request is an EbrimError."""

from __future__ import annotations

import pytest
from lxml import etree

from simulators.codecs import ebrim
from simulators.codecs.ebrim import LCM, RIM, EbrimError, q
from simulators.codecs.ebrim_model import (
    HAS_MEMBER, INVISIBLE_REPS, SIGNATURE_CLASS, Association, Author, Code, DocumentEntry, Submission, SubmissionSet,
)
from simulators.codecs.errors import ProtocolError
from simulators.codecs.xmlsafe import parse_xml, to_bytes

PID = "2840975123456^^^&1.2.250.1.213.1.4.10&ISO^NH"


def _submission() -> Submission:
    """Every code carries its display name: the writer puts it (or the code) in rim:Name, read back as display."""
    author = Author(person="810000000001^DURAND^Paul", institutions=["Clinique^^^^^^^^^1750000001"], roles=["10"])
    entry = DocumentEntry(entry_uuid="urn:uuid:doc-1", unique_id="1.2.3.4", patient_id=PID, source_patient_id=PID,
                          class_code=Code("10", "1.2.250.1.213.1.1.4.1", "Compte rendu"),
                          type_code=Code("11488-4", "2.16.840.1.113883.6.1", "CR de consultation"),
                          format_code=Code("urn:ihe:iti:xds:2017:mimeTypeSufficient", "1.3.6.1.4.1.19376.1.2.3", "PDF"),
                          confidentiality=[Code("N", "2.16.840.1.113883.5.25", "Normal"),
                                           Code(INVISIBLE_REPS, "1.2.250.1.213.1.1.4.13", "Invisible")],
                          authors=[author], mime_type="text/xml", hash="abcdef", size=1234, creation_time="20260301120000",
                          language="fr-FR", title="CR", version=1)
    ss = SubmissionSet(entry_uuid="urn:uuid:ss-1", unique_id="1.2.3", source_id="1.2", patient_id=PID,
                       submission_time="20260301120000", content_type=Code("04", "1.2.250.1.213.1.1.4.12", "Soins"),
                       authors=[author], title="Lot")
    assoc = Association(id="urn:uuid:as-1", type=HAS_MEMBER, source=ss.entry_uuid, target=entry.entry_uuid,
                        slots={"SubmissionSetStatus": ["Original"]})
    return Submission(submission_set=ss, entries=[entry], associations=[assoc])


def test_submission_round_trip() -> None:
    sent = _submission()
    data = to_bytes(ebrim.submit_objects_request(sent))
    got = ebrim.parse_submit_objects(parse_xml(data))
    assert got.submission_set == sent.submission_set
    assert got.associations == sent.associations
    (entry,) = got.entries
    assert entry == sent.entries[0]
    assert entry.visibility == {INVISIBLE_REPS} and not entry.is_signature
    assert DocumentEntry.from_json(entry.to_json()) == entry
    assert to_bytes(ebrim.submit_objects_request(got)) == data  # writing is deterministic


def test_the_hash_is_read_in_lower_case() -> None:
    sub = _submission()
    sub.entries[0].hash = "ABCDEF"
    got = ebrim.parse_submit_objects(ebrim.submit_objects_request(sub))
    assert got.entries[0].hash == "abcdef"


def test_signature_entries_are_recognised() -> None:
    entry = DocumentEntry(entry_uuid="s", class_code=Code(SIGNATURE_CLASS, "URN"))
    assert entry.is_signature


def test_top_level_classifications_are_attached_to_their_object() -> None:
    request = ebrim.submit_objects_request(_submission())
    objects = request.find(q(RIM, "RegistryObjectList"))
    eo = objects.find(q(RIM, "ExtrinsicObject"))
    for cl in eo.findall(q(RIM, "Classification")):  # move them out of the object, as some stacks write them
        eo.remove(cl)
        objects.append(cl)
    entry = ebrim.parse_submit_objects(parse_xml(to_bytes(request))).entries[0]
    assert entry.type_code == Code("11488-4", "2.16.840.1.113883.6.1", "CR de consultation")


def _request(*children: str) -> etree._Element:
    inner = "".join(children)
    return parse_xml(f'<lcm:SubmitObjectsRequest xmlns:lcm="{LCM}" xmlns:rim="{RIM}">{inner}'
                     "</lcm:SubmitObjectsRequest>".encode())


@pytest.mark.parametrize(("request_xml", "reason"), [
    (parse_xml(f'<rim:RegistryObjectList xmlns:rim="{RIM}"/>'.encode()), "not_submit_objects"),
    (_request(), "no_object_list"),
    (_request("<rim:RegistryObjectList>"
              '<rim:RegistryPackage id="a"/><rim:RegistryPackage id="b"/>'
              f'<rim:Classification classifiedObject="a" classificationNode="{ebrim.SS_NODE}"/>'
              f'<rim:Classification classifiedObject="b" classificationNode="{ebrim.SS_NODE}"/>'
              "</rim:RegistryObjectList>"), "two_ss"),
])
def test_what_is_not_a_submission_is_refused(request_xml: etree._Element, reason: str) -> None:
    with pytest.raises(EbrimError) as refused:
        ebrim.parse_submit_objects(request_xml)
    assert refused.value.reason == reason and isinstance(refused.value, ProtocolError)


def test_element_primitives() -> None:
    parent = etree.Element(q(RIM, "ExtrinsicObject"))
    ebrim.slot(parent, "URI", " DOC0001.XML ")
    ebrim.add_localized(parent, "Name", "Titre", charset="UTF-8")
    ebrim.add_localized(parent, "Description", "")  # empty text: nothing written
    ebrim.classification(parent, "scheme", "obj", Code("c", "sys"), id="cl1")
    ebrim.external_identifier(parent, "ext-scheme", "obj", "1.2.3", "XDSDocumentEntry.uniqueId", id="ei1")
    assert ebrim.slots(parent) == {"URI": ["DOC0001.XML"]}
    assert ebrim.slots(parent, strip=False) == {"URI": [" DOC0001.XML "]}
    assert ebrim.first_slot(parent, "absent") == ""
    assert parent.find(f"{q(RIM, 'Name')}/{q(RIM, 'LocalizedString')}").get("charset") == "UTF-8"
    assert parent.find(q(RIM, "Description")) is None
    assert ebrim.node_of(parent.findall(q(RIM, "Classification")), "scheme") == "c"
    assert ebrim.node_of(parent.findall(q(RIM, "Classification")), "other") == ""
    assert ebrim.external_value(parent.findall(q(RIM, "ExternalIdentifier")), "ext-scheme") == "1.2.3"
    assert ebrim.localized_text(parent, "Name") == "Titre"
