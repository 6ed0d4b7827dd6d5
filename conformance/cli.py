"""``socle-bench check`` and ``socle-bench requirements`` (wired by ``simulators/cli.py``)."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from conformance.coverage import Coverage, coverage
from conformance.registry import RegistryError
from conformance.report import EXIT_BLOCKING, EXIT_OK, EXIT_USAGE, official_ids_text
from conformance.requirements import CatalogueError, load_catalogue
from conformance.runner import DEFAULT_BENCH_URL, CheckOptions, load_registry, run_check, split_services


def register(subparsers: Any) -> None:
    check = subparsers.add_parser(
        "check", help="judge a recorded session against the requirement catalogue",
        description="Evaluate a session's exchanges. Exit 0: conformant (warnings allowed); "
                    "1: an EXIGENCE failed or errored; 2: usage or input error.")
    check.add_argument("--session", required=True, help="test session name")
    check.add_argument("--service", action="append", metavar="SERVICE",
                       help="restrict to these services (repeatable, or a comma list)")
    check.add_argument("--since", help="only exchanges from this time (epoch seconds or ISO 8601)")
    source = check.add_mutually_exclusive_group()
    source.add_argument("--bench-url", default=DEFAULT_BENCH_URL,
                        help=f"admin API of a running bench (default {DEFAULT_BENCH_URL})")
    source.add_argument("--journal", type=Path, help="read a JSON Lines journal file instead of a bench")
    check.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    check.add_argument("--html", type=Path, metavar="FILE", help="write the HTML report (French)")
    check.add_argument("--json", type=Path, metavar="FILE", help="write the JSON report")
    check.add_argument("--bundle", type=Path, metavar="FILE.zip", help="write the evidence bundle")
    check.add_argument("--checks", action="append", default=[], metavar="MODULE:ATTR",
                       help="extra check registry to load (repeatable)")
    check.add_argument("--quiet", action="store_true", help="no console summary")
    check.set_defaults(func=cmd_check)

    reqs = subparsers.add_parser("requirements", help="list the requirement catalogue")
    reqs.add_argument("--service", action="append", metavar="SERVICE", help="only these services")
    reqs.add_argument("--coverage", action="store_true", help="show which requirements have checks")
    reqs.add_argument("--checks", action="append", default=[], metavar="MODULE:ATTR",
                      help="extra check registry to load (repeatable)")
    reqs.add_argument("--official", metavar="ID",
                      help="list the bench requirements that prepare an official id (e.g. INS/va1.53, EX_2.1-1260)")
    reqs.add_argument("--format", choices=("text", "csv"), default="text")
    reqs.set_defaults(func=cmd_requirements)


def cmd_check(args: argparse.Namespace) -> int:
    options = CheckOptions(
        session=args.session, services=split_services(args.service), since=args.since,
        bench_url=args.bench_url, journal=args.journal, junit=args.junit, html=args.html,
        json=args.json, bundle=args.bundle, checks=list(args.checks), quiet=args.quiet,
    )
    return run_check(options)


def _official(report: Coverage, official_id: str, out: Any) -> int:
    """``requirements --official INS/va1.53``: the bench requirements preparing that id (exit 1: none)."""
    wanted = official_id.strip().casefold()
    rows = [row for row in report.requirements
            if any(o.id.casefold() == wanted for o in row.requirement.official_ids)]
    if not rows:
        out.write(f"aucune exigence du banc ne prépare {official_id!r}\n")
        return EXIT_BLOCKING
    for row in rows:
        r = row.requirement
        [match] = [o for o in r.official_ids if o.id.casefold() == wanted][:1]
        checks = ", ".join(row.checks) if row.checks else STATE_LABELS[row.state]
        out.write(f"{r.id:<12} {r.service:<9} {r.level:<15} {match.confidence_label:<30} {r.text}\n"
                  f"{'':12} -> {checks}\n")
    out.write(f"\n{len(rows)} exigence(s) du banc préparent {official_id}\n")
    return EXIT_OK


STATE_LABELS = {"covered": "vérifiée", "untested": "non testée", "uncovered": "SANS VÉRIFICATION"}


def cmd_requirements(args: argparse.Namespace, out: Any = None) -> int:
    out = out or sys.stdout
    try:
        registry = load_registry(args.checks)
        catalogue = load_catalogue().merged(registry.requirements)
    except (RegistryError, CatalogueError) as exc:
        print(f"socle-bench requirements : {exc}", file=sys.stderr)
        return EXIT_USAGE
    services = split_services(args.service) or None
    known = set(catalogue.services())
    unknown = [s for s in services or [] if s not in known]
    if unknown:
        print(f"socle-bench requirements : service inconnu {', '.join(unknown)} "
              f"(connus : {', '.join(sorted(known - {'*'}))})", file=sys.stderr)
        return EXIT_USAGE
    report = coverage(registry, catalogue, services)
    official = getattr(args, "official", None)
    if official:
        return _official(report, official, out)
    if args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "service", "level", "text", "source", "untested", "checks", "coverage", "official_ids"])
        for row in report.requirements:
            r = row.requirement
            writer.writerow([r.id, r.service, r.level, r.text, r.source, r.untested, " ".join(row.checks), row.state,
                             " ; ".join(str(o) for o in r.official_ids)])
    else:
        for row in report.requirements:
            r = row.requirement
            out.write(f"{r.id:<12} {r.service:<9} {r.level:<15} {r.text}\n")
            if r.official_ids:
                out.write(f"{'':12} officiel : {official_ids_text(r)}\n")
            if args.coverage:
                detail = ", ".join(row.checks) if row.checks else r.untested
                out.write(f"{'':12} -> {STATE_LABELS[row.state]}{' : ' + detail if detail else ''}\n")
    if args.coverage:
        counts = {state: len(report.by_state(state)) for state in STATE_LABELS}
        out.write(f"\n{len(report.requirements)} exigences : {counts['covered']} vérifiées, "
                  f"{counts['untested']} non testées (motif donné), {counts['uncovered']} sans vérification\n")
        for check_id, ids in sorted(report.unknown_citations.items()):
            out.write(f"ERREUR : la vérification {check_id} cite des exigences inconnues : {', '.join(ids)}\n")
        return EXIT_BLOCKING if report.unknown_citations or report.gaps() else EXIT_OK
    return EXIT_OK
