"""IHE_XDM codec: round trip, the checks of mss.md §3.5, and hostile archives."""

from __future__ import annotations

import io
import zipfile

import pytest

from simulators.mss.client import Patient, build_patient_xdm
from simulators.mss.codec.xdm import XdmError, check_xdm, parse_xdm, read_members, safe_member_name

ELLIOT = Patient("112067511497918", "1.2.250.1.213.1.4.10", "Dumontier", "Elliot", "2012-06-03", "M")


def _rezip(original: bytes, replace: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(original))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, replace.get(name, src.read(name)))
    return out.getvalue()


def test_round_trip_has_the_ihe_layout_and_no_problem() -> None:
    data, cda = build_patient_xdm(ELLIOT, code="11488-4", label="Compte rendu")
    package = parse_xdm(data)
    assert {"README.TXT", "INDEX.HTM", "IHE_XDM/SUBSET01/METADATA.XML", "IHE_XDM/SUBSET01/DOC0001.XML"} <= set(package.names)
    entry = package.subsets[0].entries[0]
    assert entry.patient_id == "112067511497918^^^&1.2.250.1.213.1.4.10&ISO^NH"
    assert entry.patient_id == package.subsets[0].submission_set.patient_id
    assert entry.size == len(cda)
    assert check_xdm(package) == []


def test_hash_size_and_uri_mismatches_are_reported() -> None:
    data, cda = build_patient_xdm(ELLIOT, code="11488-4", label="CR")
    tampered = _rezip(data, {"IHE_XDM/SUBSET01/DOC0001.XML": cda.replace(b"synth", b"SYNTH")})
    codes = {p.code for p in check_xdm(parse_xdm(tampered))}
    assert "hash" in codes
    meta = zipfile.ZipFile(io.BytesIO(data)).read("IHE_XDM/SUBSET01/METADATA.XML")
    missing = _rezip(data, {"IHE_XDM/SUBSET01/METADATA.XML": meta.replace(b"DOC0001.XML", b"DOC9999.XML")})
    assert "uri" in {p.code for p in check_xdm(parse_xdm(missing))}


def test_metadata_patient_must_match_the_cda_record_target() -> None:
    data, _ = build_patient_xdm(ELLIOT, code="11488-4", label="CR")
    meta = zipfile.ZipFile(io.BytesIO(data)).read("IHE_XDM/SUBSET01/METADATA.XML")
    other = _rezip(data, {"IHE_XDM/SUBSET01/METADATA.XML": meta.replace(b"112067511497918", b"218039306650287")})
    problems = check_xdm(parse_xdm(other))
    assert "patient-cda" in {p.code for p in problems}
    bad_oid = _rezip(data, {"IHE_XDM/SUBSET01/METADATA.XML": meta.replace(b"1.2.250.1.213.1.4.10", b"1.2.3.4")})
    assert "patient-id" in {p.code for p in check_xdm(parse_xdm(bad_oid))}


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd", "IHE_XDM/../../x", "a\\..\\b", "C:/x"])
def test_path_traversal_is_refused(name: str) -> None:
    assert safe_member_name(name) is None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("README.TXT", b"x")
        archive.writestr(zipfile.ZipInfo(name), b"pwned")
    with pytest.raises(XdmError, match="chemin dangereux"):
        parse_xdm(out.getvalue())


def test_zip_bomb_is_stopped_while_decompressing() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("IHE_XDM/SUBSET01/DOC0001.XML", b"\0" * (50 * 1024 * 1024))
    bomb = out.getvalue()
    assert len(bomb) < 200_000
    with pytest.raises(XdmError, match=r"bombe ZIP|compression anormal"):
        read_members(bomb)
    with pytest.raises(XdmError, match="bombe ZIP"):
        read_members(bomb, max_total=1_000_000)


def test_too_many_members_and_garbage_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(30):
            archive.writestr(f"f{i}", b"x")
    with pytest.raises(XdmError, match="membres"):
        read_members(out.getvalue(), max_members=10)
    with pytest.raises(XdmError, match="illisible"):
        parse_xdm(b"PK\x03\x04 not a zip at all")
