"""Just enough of a CDA R2 header to judge an MSSanté message: ids, document code, patient INS and traits.

Sans-IO. Parsing goes through the hardened `parse_xml`; the builder produces a minimal but valid
CI-SIS-like header used by the reference client, the tests and the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from simulators.core.errors import XmlRejected
from simulators.codecs.xmlsafe import parse_xml
from simulators.identities.ins import INS_OIDS

NS = {"hl7": "urn:hl7-org:v3"}


class CdaError(ValueError):
    """The document is not a readable CDA (French message)."""


@dataclass(frozen=True)
class CdaHeader:
    id_root: str
    id_extension: str
    code: str
    title: str
    set_id: str
    version: str
    effective_time: str
    ins: str  # matricule INS from recordTarget (empty when absent)
    ins_oid: str
    family: str
    given: str
    birth_time: str
    sex: str
    replaces: str  # relatedDocument[@typeCode='RPLC']/parentDocument/id

    @property
    def unique_id(self) -> str:
        return f"{self.id_root}^{self.id_extension}" if self.id_extension else self.id_root

    @property
    def ins_qualified(self) -> bool:
        """Matricule + OID + the 4 traits (mss.md §3.2 X-MSS-INS)."""
        return bool(self.ins and self.ins_oid in INS_OIDS and self.family and self.given
                    and self.birth_time and self.sex)


def _first(root: etree._Element, path: str) -> str:
    found = root.xpath(path, namespaces=NS)
    return str(found[0]).strip() if found else ""


def parse_cda(data: bytes) -> CdaHeader:
    try:
        root = parse_xml(data)
    except XmlRejected as exc:
        raise CdaError(f"CDA illisible : {exc}") from exc
    if etree.QName(root).localname != "ClinicalDocument":
        raise CdaError("l'élément racine n'est pas ClinicalDocument")
    ins, ins_oid = "", ""
    for pid in root.xpath("hl7:recordTarget/hl7:patientRole/hl7:id", namespaces=NS):
        if pid.get("root") in INS_OIDS:
            ins, ins_oid = pid.get("extension", ""), pid.get("root", "")
            break
    patient = "hl7:recordTarget/hl7:patientRole/hl7:patient/"
    return CdaHeader(
        id_root=_first(root, "hl7:id/@root"), id_extension=_first(root, "hl7:id/@extension"),
        code=_first(root, "hl7:code/@code"), title=_first(root, "hl7:title/text()"),
        set_id=_first(root, "hl7:setId/@root"), version=_first(root, "hl7:versionNumber/@value"),
        effective_time=_first(root, "hl7:effectiveTime/@value"), ins=ins, ins_oid=ins_oid,
        family=_first(root, patient + "hl7:name/hl7:family[1]/text()"),
        given=_first(root, patient + "hl7:name/hl7:given[1]/text()"),
        birth_time=_first(root, patient + "hl7:birthTime/@value"),
        sex=_first(root, patient + "hl7:administrativeGenderCode/@code"),
        replaces=_first(root, "hl7:relatedDocument[@typeCode='RPLC']/hl7:parentDocument/hl7:id/@root"),
    )


@dataclass(frozen=True)
class CdaSpec:
    """What the reference client needs to write a CDA header (synthetic data only)."""

    doc_id: str  # OID-like root
    code: str
    code_label: str
    title: str
    ins: str
    ins_oid: str
    family: str
    given: str
    birth_date: str  # YYYYMMDD
    sex: str  # M | F
    author_rpps: str = ""
    effective_time: str = "20260101120000+0100"
    body_text: str = "Document de synthèse (données synthétiques)."
    padding: int = 0  # extra text bytes, to reach a target size in benchmarks


def build_cda(spec: CdaSpec) -> bytes:
    pad = escape("x" * spec.padding)
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <id root="{escape(spec.doc_id)}"/>
  <code code="{escape(spec.code)}" codeSystem="2.16.840.1.113883.6.1" displayName="{escape(spec.code_label)}"/>
  <title>{escape(spec.title)}</title>
  <effectiveTime value="{escape(spec.effective_time)}"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="fr-FR"/>
  <setId root="{escape(spec.doc_id)}.1"/>
  <versionNumber value="1"/>
  <recordTarget><patientRole>
    <id root="{escape(spec.ins_oid)}" extension="{escape(spec.ins)}"/>
    <patient>
      <name><family qualifier="BR">{escape(spec.family)}</family><given>{escape(spec.given)}</given></name>
      <administrativeGenderCode code="{escape(spec.sex)}" codeSystem="2.16.840.1.113883.5.1"/>
      <birthTime value="{escape(spec.birth_date)}"/>
    </patient>
  </patientRole></recordTarget>
  <author><time value="{escape(spec.effective_time)}"/><assignedAuthor>
    <id root="1.2.250.1.71.4.2.1" extension="8{escape(spec.author_rpps)}"/>
  </assignedAuthor></author>
  <component><nonXMLBody><text mediaType="text/plain">{escape(spec.body_text)}{pad}</text></nonXMLBody></component>
</ClinicalDocument>
"""
    return xml.encode("utf-8")
