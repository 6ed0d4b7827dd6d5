"""MSSanté recorded samples (tests/fixtures/mss, SOURCES.md): an e-mail carrying IHE_XDM.zip, an RFC 8098
MDN and an RFC 3464 DSN, read with the project's MIME/XDM/MDN/DSN codecs; each mutated copy is refused;
the bench's own MDN and DSN have the recorded parts in the recorded order."""

from __future__ import annotations

import base64
import email
import email.policy
import io
import zipfile
from email.message import Message

import pytest

from simulators.mss.codec.mime import analyse_message, analyse_xdm, parse_message
from simulators.mss.codec.dsn import build_dsn, parse_dsn
from simulators.mss.codec.mdn import build_mdn, parse_mdn
from simulators.mss.model import RecipientOutcome
from simulators.mss.codec.xdm import XdmError, check_xdm, parse_xdm
from tests.codecs.recorded import FIXTURES, read

INS_PATIENT_ID = "114029305172559^^^&1.2.250.1.213.1.4.10&ISO^NH"


def _archive(raw: bytes) -> bytes:
    msg = parse_message(raw)
    part = next(p for p in msg.walk() if (p.get_filename() or "").upper() == "IHE_XDM.ZIP")
    return part.get_payload(decode=True)


def test_eml_is_assembled_from_the_committed_members() -> None:
    """message-xdm.eml carries exactly the hand-written xdm/ members (assemble.py cannot drift)."""
    with zipfile.ZipFile(io.BytesIO(_archive(read("mss", "message-xdm.eml")))) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    sources = FIXTURES / "mss" / "xdm"
    assert members == {p.relative_to(sources).as_posix(): p.read_bytes() for p in sources.rglob("*") if p.is_file()}


def test_xdm_message_facts() -> None:
    summary = analyse_message(read("mss", "message-xdm.eml"))
    assert summary["problems"] == []
    assert summary["subject"] == "XDM/1.0/DDM+Note de consultation FONTAINE Adrien 20140217"
    assert summary["headers"]["X-MSS-INS"] == ["O"] and summary["headers"]["X-MSS-CODECDA"] == ["11488-4"]
    assert [p["type"] for p in summary["parts"]] == ["text/plain", "application/zip"]
    xdm = summary["xdm"]
    assert xdm["readable"] and xdm["problems"] == []
    assert xdm["patient_id"] == INS_PATIENT_ID
    assert xdm["names"] == ["IHE_XDM/SUBSET01/DOC0001.XML", "IHE_XDM/SUBSET01/METADATA.XML", "INDEX.HTM", "README.TXT"]
    [doc] = xdm["documents"]
    assert (doc["uri"], doc["type_code"], doc["cda_code"]) == ("DOC0001.XML", "11488-4", "11488-4")
    assert doc["unique_id"] == doc["cda_id"] == "1.2.250.1.213.1.1.9.934986993.20260312.1"
    assert (doc["ins"], doc["family"], doc["given"], doc["birth_time"]) == ("114029305172559", "FONTAINE", "ADRIEN", "20140217")
    assert doc["ins_qualified"] is True


def test_metadata_xml_facts() -> None:
    package = parse_xdm(_archive(read("mss", "message-xdm.eml")))
    [subset] = package.subsets
    assert subset.name == "SUBSET01"
    sub = subset.submission_set
    assert (sub.patient_id, sub.unique_id, sub.source_id) == (
        INS_PATIENT_ID, "1.2.250.1.213.1.1.9.934986993.20260312.2", "1.2.250.1.213.1.1.9.934986993")
    assert sub.content_type_code == "04" and sub.submission_time == "20260312091600"
    assert sub.intended_recipients == ["|||||||||||^^Internet^florence.chevalier@cd93.mssante.test"]
    [entry] = subset.entries
    assert (entry.hash, entry.size, entry.mime_type) == ("3c329b462f8dc3a9667d3fe09377ef04cb40954c", 2260, "text/xml")
    assert (entry.class_code, entry.format_code, entry.language_code) == ("11", "urn:ihe:iti:xds-sd:text:2008", "fr-FR")
    assert entry.source_patient_info == ["PID-5|FONTAINE^ADRIEN^^^^^L", "PID-7|20140217", "PID-8|M"]
    assert check_xdm(package) == []


def _replace_archive(raw: bytes, data: bytes) -> bytes:
    old = base64.encodebytes(_archive(raw)).replace(b"\n", b"\r\n")
    new = base64.encodebytes(data).replace(b"\n", b"\r\n")
    assert old in raw
    return raw.replace(old, new)


def _rezip(raw: bytes, change: dict[str, bytes | None]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_archive(raw))) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name in change:
                if change[name] is not None:
                    dst.writestr(name, change[name])
            else:
                dst.writestr(name, src.read(name))
    return out.getvalue()


def test_truncated_zip_is_refused() -> None:
    raw = read("mss", "message-xdm.eml")
    data = _archive(raw)
    with pytest.raises(XdmError, match="illisible"):
        parse_xdm(data[: len(data) // 2])
    summary = analyse_message(_replace_archive(raw, data[: len(data) // 2]))
    assert summary["xdm"]["readable"] is False and summary["xdm"]["problems"][0]["code"] == "archive"


def test_missing_metadata_and_wrong_hash_are_reported() -> None:
    raw = read("mss", "message-xdm.eml")
    no_meta = analyse_xdm(_rezip(raw, {"IHE_XDM/SUBSET01/METADATA.XML": None}))
    assert [p["code"] for p in no_meta["problems"]] == ["metadata"]
    cda = (FIXTURES / "mss" / "xdm" / "IHE_XDM" / "SUBSET01" / "DOC0001.XML").read_bytes()
    edited = analyse_xdm(_rezip(raw, {"IHE_XDM/SUBSET01/DOC0001.XML": cda.replace(b"FONTAINE", b"FONTAINF")}))
    assert {p["code"] for p in edited["problems"]} == {"hash"}


def test_wrong_patient_id_namespace_is_reported() -> None:
    raw = read("mss", "message-xdm.eml")
    meta = (FIXTURES / "mss" / "xdm" / "IHE_XDM" / "SUBSET01" / "METADATA.XML").read_bytes()
    bad = meta.replace(b"&amp;1.2.250.1.213.1.4.10&amp;ISO^NH", b"&amp;1.2.250.1.213.1.4.99&amp;ISO^NH")
    codes = {p["code"] for p in analyse_xdm(_rezip(raw, {"IHE_XDM/SUBSET01/METADATA.XML": bad}))["problems"]}
    assert "patient-id" in codes


def test_wrong_boundary_loses_the_attachment() -> None:
    raw = read("mss", "message-xdm.eml").replace(b'boundary="=_socle-bench-fixture-7c1e"', b'boundary="=_autre"')
    summary = analyse_message(raw)
    assert "xdm" not in summary
    assert any("Boundary" in p for p in summary["problems"])


def test_mdn_facts() -> None:
    report = parse_mdn(read("mss", "mdn-ko-902.eml"))
    assert report.well_formed and report.disposition_type == "processed"
    assert (report.error_code, report.error_label) == ("902", "Identifiant patient inconnu")
    assert report.final_recipient == "florence.chevalier@cd93.mssante.test"
    assert report.original_message_id == "<20260312091600.4f2a@apei93.mssante.test>"
    assert report.subject.startswith("[KO Intégration système !][902] XDM/1.0/DDM+")
    assert analyse_message(read("mss", "mdn-ko-902.eml"))["report"] == "mdn"


def test_mdn_without_its_mandatory_fields_is_refused() -> None:
    raw = read("mss", "mdn-ko-902.eml")
    assert not parse_mdn(raw.replace(b"Final-Recipient: rfc822;florence.chevalier@cd93.mssante.test\r\n", b"")).well_formed
    assert not parse_mdn(raw.replace(b"Disposition: automatic-action", b"Disposition: sometimes-action")).well_formed
    with pytest.raises(ValueError, match="pas un MDN"):
        parse_mdn(raw.replace(b"report-type=disposition-notification", b"report-type=delivery-status"))
    with pytest.raises(ValueError, match="absente"):
        parse_mdn(raw.replace(b"Content-Type: message/disposition-notification", b"Content-Type: text/plain"))


def test_dsn_facts() -> None:
    report = parse_dsn(read("mss", "dsn-failed-5.1.1.eml"))
    assert report.reporting_mta == "mx.apei93.mssante.test" and report.original_envelope_id == "20260312091600.4f2a"
    assert [(r.final_recipient, r.action, r.status) for r in report.recipients] == [
        ("florence.chevalier.inconnue@cd93.mssante.test", "failed", "5.1.1"),
        ("florence.chevalier@cd93.mssante.test", "delivered", "2.0.0")]
    assert report.recipients[0].diagnostic.startswith("smtp; 550 5.1.1")
    assert b"Message-ID: <20260312091600.4f2a@apei93.mssante.test>" in report.original_headers
    assert analyse_message(read("mss", "dsn-failed-5.1.1.eml"))["report"] == "dsn"


def test_dsn_without_status_part_is_refused() -> None:
    raw = read("mss", "dsn-failed-5.1.1.eml")
    with pytest.raises(ValueError, match="delivery-status absente"):
        parse_dsn(raw.replace(b"Content-Type: message/delivery-status", b"Content-Type: text/plain"))
    with pytest.raises(ValueError, match="pas un DSN"):
        parse_dsn(raw.replace(b"multipart/report", b"multipart/mixed"))


def _shape(raw: bytes, fields_type: str) -> tuple[list[str], list[str]]:
    """Part types in order, and the field names of the machine-readable part (values ignored)."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    parts: list[Message] = msg.get_payload()
    names: list[str] = []
    for part in parts:
        if part.get_content_type() == fields_type:
            for block in part.get_payload():
                names += [k.lower() for k in block]
    return [p.get_content_type() for p in parts], names


def test_bench_mdn_has_the_recorded_shape() -> None:
    original = read("mss", "message-xdm.eml")
    ours = build_mdn(original, reporter="florence.chevalier@cd93.mssante.test", error_code="902")
    types, fields = _shape(ours, "message/disposition-notification")
    rec_types, rec_fields = _shape(read("mss", "mdn-ko-902.eml"), "message/disposition-notification")
    assert types == rec_types
    assert {"final-recipient", "original-message-id", "disposition"} <= set(fields) & set(rec_fields)
    assert parse_mdn(ours).error_code == parse_mdn(read("mss", "mdn-ko-902.eml")).error_code


def test_bench_dsn_has_the_recorded_shape() -> None:
    original = read("mss", "message-xdm.eml")
    ours = build_dsn(original=original, outcomes=[RecipientOutcome("florence.chevalier.inconnue@cd93.mssante.test", False)],
                     sender="dime.coquelicots@apei93.mssante.test", reporting_mta="mx.apei93.mssante.test", action="failed")
    types, fields = _shape(ours, "message/delivery-status")
    rec_types, rec_fields = _shape(read("mss", "dsn-failed-5.1.1.eml"), "message/delivery-status")
    assert types == rec_types
    required = {"reporting-mta", "final-recipient", "action", "status"}  # RFC 3464 §2.2, §2.3
    assert required <= set(fields) and required <= set(rec_fields)
