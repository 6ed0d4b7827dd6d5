"""`socle-bench pki init | issue | list | revoke`: manage the test PKI from the command line.

Messages are in English like the rest of the CLI (French domain terms kept); every handler returns the
process exit code
(0 success, 1 PKI error such as an unknown or duplicate name).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from .authority import KEY_TYPES
from .defaults import DEFAULT_PASSWORD
from .export import extract_bundle
from .profiles import PROFILES, VARIANTS, CertRequest, ProfileError, structure_id_from_finess
from .store import DEFAULT_DIR, CertRecord, Pki, PkiError


def register(subparsers: argparse._SubParsersAction) -> None:
    pki = subparsers.add_parser("pki", help="test PKI (simulated IGC-Santé)")
    sub = pki.add_subparsers(dest="pki_command", metavar="ACTION", required=True)

    init = sub.add_parser("init", help="create the PKI (idempotent)")
    _add_dir(init)
    init.add_argument("--base-url", help="URL the CRLs are published at (default http://127.0.0.1:8080/_bench/pki)")
    init.add_argument("--key-type", choices=KEY_TYPES, default="rsa2048")
    init.set_defaults(func=cmd_init)

    issue = sub.add_parser("issue", help="issue a certificate")
    _add_dir(issue)
    issue.add_argument("--profile", required=True, choices=PROFILES)
    issue.add_argument("--name", default="", help="certificate name (default: derived from the profile and the CN)")
    issue.add_argument("--cn", default="", help="subject CN (e.g. INSI-AUTO, INSI-MANU)")
    issue.add_argument("--finess", help="FINESS of the organisation (OU = 1 + FINESS)")
    issue.add_argument("--structure-id", default="", help="raw structure identifier for the OU")
    issue.add_argument("--org", default="", help="organisation name (O)")
    issue.add_argument("--rpps", default="", help="RPPS (cps profile; CN = 8 + RPPS)")
    issue.add_argument("--given-name", default="")
    issue.add_argument("--surname", default="")
    issue.add_argument("--title", default="", help="profession (e.g. Médecin)")
    issue.add_argument("--dns", action="append", default=[], help="DNS name (server profile, repeatable)")
    issue.add_argument("--ip", action="append", default=[], help="IP address (server profile, repeatable)")
    issue.add_argument("--variant", choices=VARIANTS, default="valid")
    issue.add_argument("--key-type", choices=KEY_TYPES, default=None)
    issue.add_argument("--force", action="store_true", help="replace a certificate of the same name")
    issue.set_defaults(func=cmd_issue)

    listing = sub.add_parser("list", help="list the issued certificates")
    _add_dir(listing)
    listing.add_argument("--json", action="store_true", help="JSON output")
    listing.set_defaults(func=cmd_list)

    revoke = sub.add_parser("revoke", help="revoke a certificate (CRL regenerated)")
    _add_dir(revoke)
    revoke.add_argument("name")
    revoke.set_defaults(func=cmd_revoke)

    fetch = sub.add_parser("fetch", help="download a running bench's client certificates and trust store "
                                         "(for a DUI or CI job outside the bench's container)")
    _add_dir(fetch)
    fetch.add_argument("--bench-url", required=True, help="admin URL of the bench, e.g. http://127.0.0.1:8080")
    fetch.add_argument("--token", help="admin token when the bench is reached off loopback "
                                       "(default $SOCLE_BENCH_ADMIN_TOKEN)")
    fetch.set_defaults(func=cmd_fetch)


def _add_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"PKI directory (default {DEFAULT_DIR})")


def cmd_init(args: argparse.Namespace) -> int:
    existed = (args.dir / "index.json").exists()
    try:
        pki = Pki.init(args.dir, base_url=args.base_url, key_type=args.key_type)
    except (PkiError, ValueError) as exc:
        return _fail(exc)
    state = "already present" if existed else "created"
    print(f"PKI {state} in {pki.directory} ({len(pki.records())} certificates)")
    print(f"trust root: {pki.root_path}")
    print(f"PKCS#12 password: {pki.password}")
    return 0


def cmd_issue(args: argparse.Namespace) -> int:
    try:
        pki = Pki.load(args.dir) if (args.dir / "index.json").exists() else Pki.init(args.dir)
        structure_id = args.structure_id or (structure_id_from_finess(args.finess) if args.finess else "")
        req = CertRequest(args.profile, name=args.name, cn=args.cn, organisation=args.org,
                          structure_id=structure_id, rpps=args.rpps, given_name=args.given_name,
                          surname=args.surname, title=args.title, dns_names=tuple(args.dns),
                          ip_addresses=tuple(args.ip), variant=args.variant, key_type=args.key_type or "")
        record = pki.issue(req, replace=args.force)
    except (PkiError, ProfileError, ValueError) as exc:
        return _fail(exc)
    print(f"certificate {record.name} issued: {record.subject} (serial {record.serial})")
    for kind, rel in record.files.items():
        print(f"  {kind:5} {pki.directory / rel}")
    print(f"PKCS#12 password: {pki.password}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    try:
        pki = Pki.load(args.dir)
        records = pki.records()
    except PkiError as exc:
        return _fail(exc)
    if args.json:
        from dataclasses import asdict

        print(json.dumps({"directory": str(pki.directory), "password": pki.password,
                          "certificates": [asdict(r) for r in records]}, indent=2, ensure_ascii=False))
        return 0
    print(f"PKI {pki.directory} — PKCS#12 password: {pki.password or DEFAULT_PASSWORD}")
    rows: list[tuple[str, ...]] = [("name", "profile", "variant", "issuer", "not after", "state", "subject")]
    rows += [_row(r) for r in records]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1])
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    try:
        record = Pki.load(args.dir).revoke(args.name)
    except PkiError as exc:
        return _fail(exc)
    print(f"certificate {record.name} revoked at {record.revoked_at}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    url = args.bench_url.rstrip("/") + "/_bench/pki/client-bundle.zip"
    request = urllib.request.Request(url)  # noqa: S310 - the bench's own admin URL (http/https), given by the operator
    token = args.token or os.environ.get("SOCLE_BENCH_ADMIN_TOKEN")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - the bench's own admin URL (http/https), given by the operator
            pki = extract_bundle(answer.read(), args.dir)
    except (urllib.error.URLError, OSError, PkiError) as exc:
        return _fail(f"cannot fetch the PKI from {url}: {exc}")
    print(f"PKI of {args.bench_url} in {pki.directory} ({len(pki.records())} client certificates)")
    print(f"trust root: {pki.trust_path}")
    print(f"PKCS#12 password: {pki.password}")
    return 0


def _row(record: CertRecord) -> tuple[str, ...]:
    state = "revoked" if record.revoked else "active"
    return (record.name, record.profile, record.variant, record.issuer, record.not_after[:10], state,
            record.subject)


def _fail(exc: Exception | str) -> int:
    print(f"socle-bench pki: {exc}", file=sys.stderr)
    return 1
