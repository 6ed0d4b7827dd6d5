"""The evidence bundle: complete, hashed, tamper-evident and re-loadable."""

import hashlib
import json
import zipfile

import simulators
from conformance.bundle import verify_bundle, write_bundle
from conformance.evaluate import build_report
from conformance.registry import default_registry
from conformance.requirements import load_catalogue
from conformance.sources import read_journal
from tests.conformance.factories import T0, make_exchange


def _exchanges():
    return [make_exchange(body=b"<a/>", request_headers={"Content-Type": "application/soap+xml"}),
            make_exchange(status=0, body=b"", started_at=T0 + 1)]


def _bundle(tmp_path, exchanges=None):
    catalogue = load_catalogue()
    exchanges = exchanges or _exchanges()
    report = build_report(session="s1", exchanges=exchanges, registry=default_registry(), catalogue=catalogue,
                          source="journal.jsonl", now=T0)
    path = tmp_path / "preuves.zip"
    manifest = write_bundle(path, report, catalogue)
    return path, manifest, report, catalogue


def test_bundle_holds_reports_exchanges_bodies_catalogue_and_manifest(tmp_path):
    path, manifest, report, catalogue = _bundle(tmp_path)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        first = report.exchanges[0].id
        assert {"manifest.json", "rapport.txt", "junit.xml", "rapport.html", "rapport.json", "exchanges.jsonl",
                "requirements.csv", f"bodies/{first}/request.xml", f"bodies/{first}/response.txt"} <= names
        assert archive.read(f"bodies/{first}/request.xml") == b"<a/>"
        assert json.loads(archive.read("manifest.json")) == manifest
        catalogue_bytes = archive.read("requirements.csv")
    assert "sha256:" + hashlib.sha256(catalogue_bytes).hexdigest() == catalogue.version
    assert manifest["bench_version"] == simulators.__version__
    assert manifest["catalogue_version"] == catalogue.version
    assert manifest["session"] == "s1" and manifest["generated_at"] == "2026-09-21T14:13:20Z"
    assert manifest["exit_code"] == 1 and manifest["exchange_count"] == 2  # a dropped response fails bench@1
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json"}


def test_bundle_verification_detects_tampering(tmp_path):
    path, _, _, _ = _bundle(tmp_path)
    assert verify_bundle(path) == []
    tampered = tmp_path / "altere.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, b'{"exit_code": 0}' if item.filename == "rapport.json" else data)
        target.writestr("ajout.txt", b"x")
    assert verify_bundle(tampered) == ["ajout.txt", "rapport.json"]


def test_bundle_exchanges_reload_identically(tmp_path):
    path, _, report, _ = _bundle(tmp_path)
    with zipfile.ZipFile(path) as archive:
        (tmp_path / "exchanges.jsonl").write_bytes(archive.read("exchanges.jsonl"))
    assert read_journal(tmp_path / "exchanges.jsonl") == report.exchanges


def test_bundle_is_reproducible(tmp_path):
    exchanges = _exchanges()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, _, _, _ = _bundle(tmp_path / "a", exchanges)
    second, _, _, _ = _bundle(tmp_path / "b", exchanges)
    assert first.read_bytes() == second.read_bytes()
