"""HL7v3 patient messages of the DMP (TD0.2, TD1.1-TD1.4), sans-IO.

Only the parts the SI-DMP reads are modelled: interaction id, reasonCode, the patient identifier,
the identity, the `administrativeObservation` code/value pairs and the legal representatives
(`personalRelationship`). Response shapes follow Mediboard's parsers (dmp.md §2.1 [M]); the
observation codes are configurable (valuesets/hl7v3.json) since they are UNCONFIRMED.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, UTC

from lxml import etree

from simulators.core.errors import ProtocolError

V3 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
QUERY = "PRPA_IN201307UV02"
QUERY_RESPONSE = "PRPA_IN201308UV02"
FIND = "PRPA_IN201305UV02"
FIND_RESPONSE = "PRPA_IN201306UV02"
CREATE = "PRPA_IN201311UV02"
REVISE = "PRPA_IN201314UV02"
CREATE_ACK = "PRPA_IN201312UV02"
REVISE_ACK = "PRPA_IN201315UV02"
REJECT_ACK = "PRPA_IN201316UV02"
INTERACTIONS = (QUERY, CREATE, REVISE, FIND)
REASON_SYSTEM = "1.2.250.1.213.1.1.4.11"
OBSERVATION_SYSTEM = "1.2.250.1.213.4.1.2.3"


def v(tag: str) -> str:
    return f"{{{V3}}}{tag}"


@dataclass
class Representative:
    relation: str
    family: str = ""
    given: str = ""
    identifier: str = ""


@dataclass
class PatientRequest:
    interaction: str
    reason: str
    ins: str
    oid: str
    message_id: str = ""
    family: str = ""
    given: str = ""
    gender: str = ""
    birth_date: str = ""  # YYYY-MM-DD
    status: str = ""  # statusCode of the patient (terminated for FERM)
    observations: dict[str, str] = field(default_factory=dict)
    representatives: list[Representative] = field(default_factory=list)
    closing_reason: str = ""


@dataclass
class PatientResponse:
    interaction: str
    ack: str  # AA | AE | AR
    query_code: str = ""  # OK | NF | AE
    status: str = ""
    observations: dict[str, str] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)
    family: str = ""
    given: str = ""
    birth_date: str = ""


def _text_date(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) >= 8 else ""


def parse_patient_request(root: etree._Element) -> PatientRequest:
    interaction = etree.QName(root).localname
    if etree.QName(root).namespace != V3 or interaction not in INTERACTIONS:
        raise ProtocolError(f"Message HL7v3 attendu ({', '.join(INTERACTIONS)}), reçu {root.tag}.",
                            reason="hl7_unknown_interaction")
    cap = root.find(v("controlActProcess"))
    if cap is None:
        raise ProtocolError("Message HL7v3 sans controlActProcess.", reason="hl7_structure")
    reason = cap.find(v("reasonCode"))
    request = PatientRequest(interaction=interaction, reason=reason.get("code", "") if reason is not None else "",
                             ins="", oid="", message_id=(root.find(v("id")).get("root", "") if root.find(v("id")) is not None else ""))
    if interaction == FIND:
        params = cap.find(f"{v('queryByParameter')}/{v('parameterList')}")
        if params is None:
            raise ProtocolError("TD0.5 : queryByParameter/parameterList absent.", reason="hl7_structure")
        request.family = params.findtext(f"{v('livingSubjectName')}/{v('value')}/{v('family')}") or ""
        request.given = params.findtext(f"{v('livingSubjectName')}/{v('value')}/{v('given')}") or ""
        birth = params.find(f"{v('livingSubjectBirthTime')}/{v('value')}")
        request.birth_date = _text_date(birth.get("value", "")) if birth is not None else ""
        gender = params.find(f"{v('livingSubjectAdministrativeGender')}/{v('value')}")
        request.gender = gender.get("code", "") if gender is not None else ""
        return request
    if interaction == QUERY:
        value = cap.find(f"{v('queryByParameter')}/{v('parameterList')}/{v('patientIdentifier')}/{v('value')}")
        if value is None:
            raise ProtocolError("TD0.2 : parameterList/patientIdentifier/value (INS) absent.", reason="hl7_no_patient")
        request.ins, request.oid = value.get("extension", ""), value.get("root", "")
        return request
    patient = cap.find(f".//{v('subject1')}/{v('patient')}")
    if patient is None:
        raise ProtocolError("Message HL7v3 sans subject1/patient.", reason="hl7_no_patient")
    pid = patient.find(v("id"))
    if pid is None:
        raise ProtocolError("patient/id (INS) absent.", reason="hl7_no_patient")
    request.ins, request.oid = pid.get("extension", ""), pid.get("root", "")
    status = patient.find(v("statusCode"))
    request.status = status.get("code", "") if status is not None else ""
    person = patient.find(v("patientPerson"))
    if person is not None:
        request.family = person.findtext(f"{v('name')}/{v('family')}") or ""
        request.given = person.findtext(f"{v('name')}/{v('given')}") or ""
        gender = person.find(v("administrativeGenderCode"))
        request.gender = gender.get("code", "") if gender is not None else ""
        birth = person.find(v("birthTime"))
        request.birth_date = _text_date(birth.get("value", "")) if birth is not None else ""
        for rel in person.iterfind(v("personalRelationship")):
            code = rel.find(v("code"))
            holder = rel.find(v("relationshipHolder1"))
            rep = Representative(code.get("code", "") if code is not None else "")
            if holder is not None:
                rep.family = holder.findtext(f"{v('name')}/{v('family')}") or ""
                rep.given = holder.findtext(f"{v('name')}/{v('given')}") or ""
                hid = holder.find(v("id"))
                rep.identifier = hid.get("extension", "") if hid is not None else ""
            request.representatives.append(rep)
    for obs in cap.iter(v("administrativeObservation")):
        code, value = obs.find(v("code")), obs.find(v("value"))
        if code is not None:
            request.observations[code.get("code", "")] = (value.get("value") or value.get("code") or (value.text or "")) if value is not None else ""
    closing = cap.find(f".//{v('reasonCode')}[@codeSystem='1.2.250.1.213.4.1.2.4']")
    request.closing_reason = closing.get("code", "") if closing is not None else ""
    return request


# --- building -------------------------------------------------------------------------------------------


def _header(interaction: str, *, sender: str = "LPS", receiver: str = "SI-DMP") -> etree._Element:
    root = etree.Element(v(interaction), nsmap={None: V3, "xsi": XSI}, ITSVersion="XML_1.0")
    etree.SubElement(root, v("id"), root=str(uuid.uuid4()))
    etree.SubElement(root, v("creationTime"), value=datetime.now(UTC).strftime("%Y%m%d%H%M%S"))
    etree.SubElement(root, v("interactionId"), root="2.16.840.1.113883.1.6", extension=interaction)
    etree.SubElement(root, v("processingCode"), code="P")
    etree.SubElement(root, v("processingModeCode"), code="T")
    etree.SubElement(root, v("acceptAckCode"), code="AL" if interaction in INTERACTIONS else "NE")
    for role, name in (("receiver", receiver), ("sender", sender)):
        dev = etree.SubElement(etree.SubElement(root, v(role), typeCode="RCV" if role == "receiver" else "SND"),
                               v("device"), classCode="DEV", determinerCode="INSTANCE")
        etree.SubElement(dev, v("id"), root="1.2.250.1.213.4.1.1.1", extension=name)
    return root


def _observation(parent: etree._Element, code: str, value: str, bl: bool = True) -> None:
    obs = etree.SubElement(etree.SubElement(parent, v("subjectOf1")), v("administrativeObservation"),
                           classCode="OBS", moodCode="EVN")
    etree.SubElement(obs, v("code"), code=code, codeSystem=OBSERVATION_SYSTEM)
    val = etree.SubElement(obs, v("value"), value=value)
    val.set(f"{{{XSI}}}type", "BL" if bl and value in ("true", "false") else "ST")


def build_patient_request(r: PatientRequest) -> etree._Element:
    root = _header(r.interaction)
    cap = etree.SubElement(root, v("controlActProcess"), classCode="CACT", moodCode="EVN")
    etree.SubElement(cap, v("reasonCode"), code=r.reason, codeSystem=REASON_SYSTEM)
    if r.interaction == FIND:
        qbp = etree.SubElement(cap, v("queryByParameter"))
        etree.SubElement(qbp, v("queryId"), root=str(uuid.uuid4()))
        etree.SubElement(qbp, v("statusCode"), code="new")
        params = etree.SubElement(qbp, v("parameterList"))
        if r.gender:
            etree.SubElement(etree.SubElement(params, v("livingSubjectAdministrativeGender")), v("value"), code=r.gender)
        if r.birth_date:
            etree.SubElement(etree.SubElement(params, v("livingSubjectBirthTime")), v("value"),
                             value=r.birth_date.replace("-", ""))
        name = etree.SubElement(etree.SubElement(params, v("livingSubjectName")), v("value"))
        etree.SubElement(name, v("family")).text = r.family
        if r.given:
            etree.SubElement(name, v("given")).text = r.given
        return root
    if r.interaction == QUERY:
        qbp = etree.SubElement(cap, v("queryByParameter"))
        etree.SubElement(qbp, v("queryId"), root=str(uuid.uuid4()))
        etree.SubElement(qbp, v("statusCode"), code="new")
        pi = etree.SubElement(etree.SubElement(qbp, v("parameterList")), v("patientIdentifier"))
        etree.SubElement(pi, v("value"), root=r.oid, extension=r.ins)
        etree.SubElement(pi, v("semanticsText")).text = "Patient.id"
        return root
    event = etree.SubElement(etree.SubElement(cap, v("subject"), typeCode="SUBJ"), v("registrationRequest"),
                             classCode="REG", moodCode="RQO")
    etree.SubElement(event, v("statusCode"), code="active")
    patient = etree.SubElement(etree.SubElement(event, v("subject1")), v("patient"), classCode="PAT")
    etree.SubElement(patient, v("id"), root=r.oid, extension=r.ins)
    etree.SubElement(patient, v("statusCode"), code=r.status or "active")
    person = etree.SubElement(patient, v("patientPerson"), classCode="PSN", determinerCode="INSTANCE")
    name = etree.SubElement(person, v("name"))
    etree.SubElement(name, v("family"), qualifier="BR").text = r.family
    etree.SubElement(name, v("given")).text = r.given
    if r.gender:
        etree.SubElement(person, v("administrativeGenderCode"), code=r.gender, codeSystem="2.16.840.1.113883.5.1")
    if r.birth_date:
        etree.SubElement(person, v("birthTime"), value=r.birth_date.replace("-", ""))
    for rep in r.representatives:
        rel = etree.SubElement(person, v("personalRelationship"), classCode="PRS")
        etree.SubElement(rel, v("code"), code=rep.relation, codeSystem="2.16.840.1.113883.5.111")
        holder = etree.SubElement(rel, v("relationshipHolder1"), classCode="PSN", determinerCode="INSTANCE")
        if rep.identifier:
            etree.SubElement(holder, v("id"), extension=rep.identifier)
        hname = etree.SubElement(holder, v("name"))
        etree.SubElement(hname, v("family")).text = rep.family
        etree.SubElement(hname, v("given")).text = rep.given
    for code, value in r.observations.items():
        _observation(patient, code, value)
    if r.closing_reason:
        etree.SubElement(cap, v("reasonCode"), code=r.closing_reason, codeSystem="1.2.250.1.213.4.1.2.4")
    return root


def _ack(root: etree._Element, target: str, code: str, details: list[str]) -> None:
    ack = etree.SubElement(root, v("acknowledgement"), typeCode=code)
    etree.SubElement(etree.SubElement(ack, v("targetMessage")), v("id"), root=target)
    for text in details:
        detail = etree.SubElement(ack, v("acknowledgementDetail"), typeCode="E" if code != "AA" else "I")
        etree.SubElement(detail, v("text")).text = text


def build_ack(interaction: str, target: str, code: str, details: list[str]) -> etree._Element:
    root = _header(interaction, sender="SI-DMP", receiver="LPS")
    _ack(root, target, code, details)
    etree.SubElement(root, v("controlActProcess"), classCode="CACT", moodCode="EVN")
    return root


def build_query_response(target: str, *, ack: str, query_code: str, ins: str, oid: str, status: str,
                         family: str, given: str, gender: str, birth_date: str, observations: dict[str, str],
                         details: list[str]) -> etree._Element:
    root = _header(QUERY_RESPONSE, sender="SI-DMP", receiver="LPS")
    _ack(root, target, ack, details)
    cap = etree.SubElement(root, v("controlActProcess"), classCode="CACT", moodCode="EVN")
    if query_code == "OK":
        event = etree.SubElement(etree.SubElement(cap, v("subject"), typeCode="SUBJ"), v("registrationEvent"),
                                 classCode="REG", moodCode="EVN")
        patient = etree.SubElement(etree.SubElement(event, v("subject1")), v("patient"), classCode="PAT")
        etree.SubElement(patient, v("id"), root=oid, extension=ins)
        etree.SubElement(patient, v("statusCode"), code=status)
        person = etree.SubElement(patient, v("patientPerson"))
        name = etree.SubElement(person, v("name"))
        etree.SubElement(name, v("family"), qualifier="BR").text = family
        etree.SubElement(name, v("given")).text = given
        etree.SubElement(person, v("administrativeGenderCode"), code=gender or "UN")
        etree.SubElement(person, v("birthTime"), value=birth_date.replace("-", ""))
        for code, value in observations.items():
            _observation(patient, code, value)
    query_ack = etree.SubElement(cap, v("queryAck"))
    etree.SubElement(query_ack, v("queryResponseCode"), code=query_code)
    return root


@dataclass(frozen=True)
class FoundPatient:
    ins: str
    oid: str
    family: str
    given: str
    birth_date: str
    gender: str


def build_find_response(target: str, patients: list[FoundPatient], details: list[str]) -> etree._Element:
    root = _header(FIND_RESPONSE, sender="SI-DMP", receiver="LPS")
    _ack(root, target, "AA", details)
    cap = etree.SubElement(root, v("controlActProcess"), classCode="CACT", moodCode="EVN")
    for p in patients:
        event = etree.SubElement(etree.SubElement(cap, v("subject"), typeCode="SUBJ"), v("registrationEvent"),
                                 classCode="REG", moodCode="EVN")
        patient = etree.SubElement(etree.SubElement(event, v("subject1")), v("patient"), classCode="PAT")
        etree.SubElement(patient, v("id"), root=p.oid, extension=p.ins)
        person = etree.SubElement(patient, v("patientPerson"))
        name = etree.SubElement(person, v("name"))
        etree.SubElement(name, v("family")).text = p.family
        etree.SubElement(name, v("given")).text = p.given
        etree.SubElement(person, v("administrativeGenderCode"), code=p.gender or "UN")
        etree.SubElement(person, v("birthTime"), value=p.birth_date.replace("-", ""))
    etree.SubElement(etree.SubElement(cap, v("queryAck")), v("queryResponseCode"), code="OK" if patients else "NF")
    return root


def parse_find_response(root: etree._Element) -> list[FoundPatient]:
    out = []
    for patient in root.iter(v("patient")):
        pid = patient.find(v("id"))
        birth = patient.find(f"{v('patientPerson')}/{v('birthTime')}")
        gender = patient.find(f"{v('patientPerson')}/{v('administrativeGenderCode')}")
        out.append(FoundPatient(pid.get("extension", "") if pid is not None else "", pid.get("root", "") if pid is not None else "",
                                patient.findtext(f"{v('patientPerson')}/{v('name')}/{v('family')}") or "",
                                patient.findtext(f"{v('patientPerson')}/{v('name')}/{v('given')}") or "",
                                _text_date(birth.get("value", "")) if birth is not None else "",
                                gender.get("code", "") if gender is not None else ""))
    return out


def parse_patient_response(root: etree._Element) -> PatientResponse:
    ack = root.find(v("acknowledgement"))
    resp = PatientResponse(interaction=etree.QName(root).localname, ack=ack.get("typeCode", "") if ack is not None else "")
    if ack is not None:
        resp.details = [d.findtext(v("text")) or "" for d in ack.iterfind(v("acknowledgementDetail"))]
    qrc = root.find(f"{v('controlActProcess')}/{v('queryAck')}/{v('queryResponseCode')}")
    resp.query_code = qrc.get("code", "") if qrc is not None else ""
    patient = root.find(f".//{v('subject1')}/{v('patient')}")
    if patient is not None:
        status = patient.find(v("statusCode"))
        resp.status = status.get("code", "") if status is not None else ""
        resp.family = patient.findtext(f"{v('patientPerson')}/{v('name')}/{v('family')}") or ""
        resp.given = patient.findtext(f"{v('patientPerson')}/{v('name')}/{v('given')}") or ""
        birth = patient.find(f"{v('patientPerson')}/{v('birthTime')}")
        resp.birth_date = _text_date(birth.get("value", "")) if birth is not None else ""
        for obs in patient.iter(v("administrativeObservation")):
            code, value = obs.find(v("code")), obs.find(v("value"))
            if code is not None and value is not None:
                resp.observations[code.get("code", "")] = value.get("value", "")
    return resp
