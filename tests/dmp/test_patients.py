"""Patient transactions (TD0.2, TD0.3, TD1.x) and the SOAP envelope rules of the four endpoints."""

from __future__ import annotations

import requests

from simulators.codecs.soap import Addressing, build_envelope, parse_fault
from simulators.dmp.client import DmpFault
from simulators.dmp.codec import hl7v3
from simulators.dmp.codec.hl7v3 import Representative
from simulators.dmp.vihf import security_header
from simulators.identities.nir import with_key

NEW_CHILD = with_key("2150175111123")  # synthetic NIR of a girl born 01/2015 in Paris
NEW_ADULT = with_key("1800175111123")
TEST_OID = "1.2.250.1.213.1.4.10"


def test_td02_reports_state_authorization_and_minor(make_client, world) -> None:
    fanny = world.person("fanny")
    nurse = make_client("pmi-puericultrice")
    before = nurse.test_existence(fanny.ins.value, fanny.ins.oid)
    assert before.ack == "AA" and before.query_code == "OK" and before.status == "active"
    assert before.observations["AUTORISATION"] == "NON_EXISTE" and before.observations["PATIENT_MINEUR"] == "true"
    assert nurse.set_authorization(fanny.ins.value, fanny.ins.oid)["authorization"] == "VALIDE"
    assert nurse.test_existence(fanny.ins.value, fanny.ins.oid).observations["AUTORISATION"] == "VALIDE"
    lines = nurse.list_authorizations(fanny.ins.value, fanny.ins.oid)["authorizations"]
    assert [line.status for line in lines] == ["VALIDE"]
    assert nurse.set_authorization(fanny.ins.value, fanny.ins.oid, "SUPPRESSION")["authorization"] == "NON_EXISTE"
    unknown = nurse.test_existence(NEW_ADULT, TEST_OID)
    assert unknown.query_code == "NF" and unknown.ack == "AA"


def test_create_minor_needs_consent_and_a_legal_representative(make_client) -> None:
    doctor = make_client("medecin-elise")
    child = {"family": "MARTIN", "given": "LOU", "gender": "F", "birth_date": "2015-01-20"}
    no_consent = doctor.create_dmp(NEW_CHILD, TEST_OID, consent=False, **child)
    assert no_consent.ack == "AE" and "consentement" in no_consent.details[0]
    no_rep = doctor.create_dmp(NEW_CHILD, TEST_OID, **child)
    assert no_rep.ack == "AE" and "représentant légal" in no_rep.details[0]
    created = doctor.create_dmp(NEW_CHILD, TEST_OID, representatives=[Representative("MTH", "MARTIN", "ANNE")],
                                oppose_break_glass=True, **child)
    assert created.ack == "AA" and created.interaction == hl7v3.CREATE_ACK
    state = doctor.test_existence(NEW_CHILD, TEST_OID)
    assert state.observations["ETAT_DMP"] == "ACTIF" and state.observations["AUTORISATION"] == "VALIDE"
    assert doctor.create_dmp(NEW_CHILD, TEST_OID, representatives=[Representative("MTH")], **child).ack == "AE"


def test_close_then_reactivate(make_client) -> None:
    doctor = make_client("medecin-elise")
    assert doctor.create_dmp(NEW_ADULT, TEST_OID, family="DURAND", given="PAUL", gender="M", birth_date="1980-01-05").ack == "AA"
    assert doctor.close_dmp(NEW_ADULT, TEST_OID).ack == "AA"
    closed = doctor.test_existence(NEW_ADULT, TEST_OID)
    assert closed.observations["ETAT_DMP"] == "FERME" and closed.observations["MOTIF_FERMETURE"] == "FERMETURE_DEMANDE_PATIENT"
    assert doctor.create_dmp(NEW_ADULT, TEST_OID, family="DURAND", given="PAUL", gender="M", birth_date="1980-01-05").ack == "AE"
    assert doctor.reactivate_dmp(NEW_ADULT, TEST_OID).ack == "AA"
    assert doctor.test_existence(NEW_ADULT, TEST_OID).observations["ETAT_DMP"] == "ACTIF"


def test_ase_is_yanis_legal_representative(dmp_bench, session, world) -> None:
    rows = requests.get(f"{dmp_bench.admin_url}/_bench/dmp/{session}/patients", timeout=10).json()
    yanis = next(r for r in rows if r["person_id"] == "yanis")
    assert yanis["mineur"] and yanis["legal_representatives"][0]["relation"] == "RESPRSN"
    assert yanis["legal_representatives"][0]["person_id"] == world.establishment("ase-93").idnst


def _post(client, endpoint: str, body: bytes, content_type: str = "application/soap+xml; charset=utf-8"):
    return requests.post(client.endpoint(endpoint), data=body, headers={"Content-Type": content_type}, timeout=10,
                         verify=client.verify, cert=client.identity.tls_cert)


def test_envelope_errors_are_soap_faults(make_client, world) -> None:
    client = make_client("medecin-elise")
    fanny = world.person("fanny")
    payload = hl7v3.build_patient_request(hl7v3.PatientRequest(hl7v3.QUERY, "TEST_EXST", fanny.ins.value, fanny.ins.oid))
    wrong = build_envelope(payload, headers=[security_header(client.vihf(fanny.ins.value, fanny.ins.oid))],
                           addressing=Addressing(action="urn:ihe:iti:2007:RegistryStoredQuery", message_id="urn:uuid:1"))
    response = _post(client, "patients", wrong)
    assert response.status_code == 400 and "non servie par /patients" in parse_fault(response.content).reason
    no_vihf = build_envelope(payload, addressing=Addressing(action="urn:hl7-org:v3:PRPA_IN201307UV02", message_id="urn:uuid:2"))
    fault = parse_fault(_post(client, "patients", no_vihf).content)
    assert "wsse:Security" in fault.reason
    soap11 = b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>'
    assert parse_fault(_post(client, "registry", soap11, "text/xml").content).code == "VersionMismatch"


def test_vihf_of_another_patient_cannot_read(make_client, world) -> None:
    doctor = make_client("medecin-elise")
    fanny, elise = world.person("fanny"), world.person("elise")
    payload = hl7v3.build_patient_request(hl7v3.PatientRequest(hl7v3.QUERY, "TEST_EXST", fanny.ins.value, fanny.ins.oid))
    resp, _ = doctor.call("patients", "urn:hl7-org:v3:PRPA_IN201307UV02", payload, elise.ins.value, elise.ins.oid)
    answer = hl7v3.parse_patient_response(resp)
    assert answer.ack == "AE" and "INS du VIHF" in answer.details[0]


def test_broken_vihf_signature_is_a_fault_over_the_wire(make_client, world) -> None:
    from simulators.codecs.xmlsafe import parse_xml, to_bytes

    doctor = make_client("medecin-elise")
    fanny = world.person("fanny")
    good = doctor.vihf(fanny.ins.value, fanny.ins.oid)
    broken = parse_xml(to_bytes(good).replace(b"SA41", b"SA07").replace(b"SA20", b"SA07"))
    payload = hl7v3.build_patient_request(hl7v3.PatientRequest(hl7v3.QUERY, "TEST_EXST", fanny.ins.value, fanny.ins.oid))
    try:
        doctor.call("patients", "urn:hl7-org:v3:PRPA_IN201307UV02", payload, fanny.ins.value, fanny.ins.oid, assertion=broken)
    except DmpFault as fault:
        assert "signature" in fault.reason and fault.status == 400
    else:
        raise AssertionError("a tampered VIHF must be refused")


def test_td05_finds_patients_by_traits(make_client, world) -> None:
    doctor = make_client("medecin-elise")
    elise = world.person("elise")
    found = doctor.find_patients(family="d'Almeida", given="Élise", birth_date=elise.birth_date, gender="F",
                                 context=(elise.ins.value, elise.ins.oid))
    assert [p.ins for p in found] == [elise.ins.value]
    assert doctor.find_patients(family="INCONNU", context=(elise.ins.value, elise.ins.oid)) == []
