"""Evidence bundle: the zip a vendor keeps as proof of a conformance run.

It holds the four reports, the raw exchanges (JSON Lines, re-loadable with ``check --journal``),
each raw body as sent on the wire, the exact catalogue judged against, and a manifest with the
SHA-256 of every file, so that a later reader can tell whether anything was altered.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import datetime, UTC
from pathlib import Path
from collections.abc import Iterable

from simulators.core.exchange import Exchange

from conformance.report import Report
from conformance.requirements import Catalogue
from conformance.reporters import Reporter, all_reporters
from conformance.reporters.json import report_to_json

BUNDLE_FORMAT = 1
MANIFEST = "manifest.json"
_EXTENSIONS = (("json", ".json"), ("xml", ".xml"), ("html", ".html"), ("message/rfc822", ".eml"),
               ("multipart", ".mime"), ("text", ".txt"))


def _extension(headers: dict[str, str]) -> str:
    content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "").lower()
    return next((ext for marker, ext in _EXTENSIONS if marker in content_type), ".bin")


def bundle_files(report: Report, catalogue: Catalogue, reporters: Iterable[Reporter] | None = None) -> dict[str, bytes]:
    """Everything but the manifest, by path inside the zip (sorted for reproducible archives)."""
    files: dict[str, bytes] = {}
    for reporter in reporters or all_reporters().values():
        files[reporter.filename] = reporter.render(report).encode("utf-8")
    for number, text in enumerate(catalogue.texts):
        name = "requirements.csv" if number == 0 else f"requirements-extra-{number}.csv"
        files[name] = text.encode("utf-8")
    files["exchanges.jsonl"] = "".join(
        json.dumps(e.to_json(), ensure_ascii=False) + "\n" for e in report.exchanges
    ).encode("utf-8")
    for exchange in report.exchanges:
        files.update(_raw_bodies(exchange))
    return dict(sorted(files.items()))


def _raw_bodies(exchange: Exchange) -> dict[str, bytes]:
    bodies = {}
    if exchange.request_body:
        bodies[f"bodies/{exchange.id}/request{_extension(exchange.request_headers)}"] = exchange.request_body
    if exchange.response_body:
        bodies[f"bodies/{exchange.id}/response{_extension(exchange.response_headers)}"] = exchange.response_body
    return bodies


def build_manifest(report: Report, files: dict[str, bytes]) -> dict:
    summary = report_to_json(report)
    return {
        "bundle_format": BUNDLE_FORMAT,
        "tool": "socle-bench",
        "bench_version": report.bench_version,
        "catalogue_version": report.catalogue_version,
        "report_schema_version": summary["schema_version"],
        "session": report.session,
        "services": list(report.services),
        "source": report.source,
        "since": report.since,
        "generated_at": summary["generated_at"],
        "outcome": summary["outcome"],
        "conformant": summary["conformant"],
        "exit_code": report.exit_code,
        "exchange_count": len(report.exchanges),
        "files": [
            {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for path, data in files.items()
        ],
    }


def write_bundle(path: Path | str, report: Report, catalogue: Catalogue) -> dict:
    """Write the zip and return its manifest. Entry dates are the report time (reproducible)."""
    files = bundle_files(report, catalogue)
    manifest = build_manifest(report, files)
    when = datetime.fromtimestamp(report.generated_at, UTC)
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry(MANIFEST, stamp), json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        for name, data in files.items():
            archive.writestr(_entry(name, stamp), data)
    return manifest


def _entry(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def verify_bundle(path: Path | str) -> list[str]:
    """Paths whose content no longer matches the manifest (empty list: intact)."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
        present = set(archive.namelist()) - {MANIFEST}
        bad = sorted(present ^ set(listed))
        bad += sorted(p for p in present & set(listed)
                      if hashlib.sha256(archive.read(p)).hexdigest() != listed[p])
    return bad
