"""``socle-bench check``: load a session's exchanges, judge them, write reports, pick the exit code.

Exit codes are the contract with CI: 0 conformant (warnings allowed), 1 an EXIGENCE failed or
errored, 2 the run itself was unusable (bad arguments, unreadable journal, unreachable bench,
empty session) — an empty session must never pass a pipeline by having nothing to judge.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import requests

from simulators.core.errors import BenchError
from conformance.bundle import write_bundle
from conformance.registry import CheckRegistry, RegistryError, default_registry, load_registry_reference
from conformance.report import EXIT_USAGE, Report
from conformance.reporters import all_reporters
from conformance.requirements import Catalogue, CatalogueError, load_catalogue
from conformance.sources import (SourceError, fetch_exchanges, fetch_identity_base, identity_base_exchange,
                                 parse_since, read_journal, select)
from conformance.evaluate import build_report

DEFAULT_BENCH_URL = "http://127.0.0.1:8080"


class UsageError(BenchError):
    """Bad combination of options; exit code 2."""


@dataclass
class CheckOptions:
    session: str
    services: list[str] = field(default_factory=list)
    since: str | None = None
    bench_url: str = DEFAULT_BENCH_URL
    journal: Path | None = None
    junit: Path | None = None
    html: Path | None = None
    json: Path | None = None
    bundle: Path | None = None
    checks: list[str] = field(default_factory=list)  # extra registries, "module:attr"
    quiet: bool = False


def split_services(values: list[str] | None) -> list[str]:
    """--service is repeatable and accepts comma lists: ``--service ins,dmp --service ror``."""
    return [s.strip() for value in values or [] for s in value.split(",") if s.strip()]


def load_registry(references: list[str]) -> CheckRegistry:
    registry = default_registry()
    for reference in references:
        registry.extend(load_registry_reference(reference))
    return registry


def evaluate_session(options: CheckOptions, *, http: requests.Session | None = None) -> tuple[Report, Catalogue]:
    if not options.session:
        raise UsageError("--session est obligatoire")
    registry = load_registry(options.checks)
    catalogue = load_catalogue().merged(registry.requirements)
    since = parse_since(options.since)
    services = options.services or None
    if options.journal is not None:
        exchanges = read_journal(options.journal)
        source = str(options.journal)
    else:
        exchanges = fetch_exchanges(options.bench_url, session=options.session, services=None,
                                    since=since, http=http)
        source = options.bench_url
    session_exchanges = select(exchanges, session=options.session, services=None, since=since)
    exchanges = select(session_exchanges, session=options.session, services=services, since=since)
    judged = {e.id for e in exchanges}
    context = [e for e in session_exchanges if e.id not in judged]  # cross-service rules need INSi's answers
    if options.journal is None:
        declared = fetch_identity_base(options.bench_url, session=options.session, http=http)
        if declared:
            context.append(identity_base_exchange(options.session, declared))
    if not exchanges:
        scope = f" (services {', '.join(services)})" if services else ""
        raise SourceError(f"aucun échange pour la session {options.session!r}{scope} dans {source} : rien à juger")
    report = build_report(session=options.session, exchanges=exchanges, registry=registry,
                          catalogue=catalogue, services=services, source=source, since=since, context=context)
    return report, catalogue


def write_reports(report: Report, catalogue: Catalogue, options: CheckOptions) -> None:
    reporters = all_reporters()
    for name, target in (("junit", options.junit), ("html", options.html), ("json", options.json)):
        if target is not None:
            write_atomically(Path(target), reporters[name].render(report).encode("utf-8"))
    if options.bundle is not None:
        Path(options.bundle).parent.mkdir(parents=True, exist_ok=True)
        write_bundle(options.bundle, report, catalogue)


def write_atomically(target: Path, data: bytes) -> None:
    """A CI job reads the report where its template uploads it: create the folder, never leave half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data)
    partial.replace(target)


def run_check(options: CheckOptions, *, out: TextIO | None = None, err: TextIO | None = None,
              http: requests.Session | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        report, catalogue = evaluate_session(options, http=http)
    except (UsageError, SourceError, RegistryError, CatalogueError) as exc:
        print(f"socle-bench check : {exc}", file=err)
        return EXIT_USAGE
    if not options.quiet:
        out.write(all_reporters()["console"].render(report))
    try:
        write_reports(report, catalogue, options)
    except OSError as exc:
        print(f"socle-bench check : écriture impossible : {exc}", file=err)
        return EXIT_USAGE
    return report.exit_code
