"""The operations each service handles, read from the code (not listed by hand), for the samples' coverage test.

Sources: the literal operation names the protocol adapters journal (`ctx.operation = "..."`, `guarded("...")`,
`_record(server, "...")`), their f-string forms expanded with the values they range over (resource types of the
service's model, grant types its discovery document announces), the DMP's WS-Addressing routes and the INSi
SOAP actions. A name that cannot be expanded is reported, so a new kind of operation cannot slip through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r"(?:\.operation\s*=\s*|\boperation=|guarded\(\s*|ctx\.fault\(\s*"
                     r"|_record\(\s*(?:self|server),\s*)(f?)\"([^\"]+)\"")
# IMAP commands are the IMAP protocol's (pymap answers them all): the samples must show a DUI's reading session.
NOT_ADAPTERS = {"admin", "client", "client_codec", "dashboard_view", "journey", "seed"}  # they query, not journal
IMAP_SESSION = ("imap.auth", "imap.select", "imap.uid search", "imap.uid fetch", "imap.logout")


def _files(service: str) -> list[Path]:
    """Source files of a service's protocol adapter (PSC may live in simulators/psc or simulators/mss/psc.py)."""
    if service == "psc":
        own = ROOT / "simulators" / "psc"
        return sorted(p for p in own.rglob("*.py") if p.stem not in NOT_ADAPTERS) if own.is_dir() \
            else [ROOT / "simulators" / "mss" / "psc.py"]
    if service == "mss":
        return sorted(p for p in (ROOT / "simulators" / "mss").glob("*.py") if p.stem.startswith(("smtp", "imap")))
    return sorted(p for p in (ROOT / "simulators" / service).rglob("*.py") if p.stem not in NOT_ADAPTERS)


def _grant_types(files: Iterable[Path]) -> list[str]:
    found: list[str] = []
    for path in files:
        for match in re.finditer(r'"grant_types_supported":\s*\[([^\]]*)\]', path.read_text(encoding="utf-8")):
            found += re.findall(r'"([^"]+)"', match.group(1))
    return found


def _expand(service: str, template: str, files: list[Path]) -> tuple[set[str], list[str]]:
    """({operations}, [names that could not be expanded])."""
    names = set(re.findall(r"\{([^}]*)\}", template))
    if not names:
        return {template}, []
    if all(n.split()[0] in ("rtype", "snapshot.rtype") for n in names):
        from importlib import import_module

        types = import_module(f"simulators.{service}.model").RESOURCE_TYPES
        return {re.sub(r"\{[^}]*\}", t, template) for t in types}, []
    if all(n.startswith("grant") for n in names):
        return {re.sub(r"\{[^}]*\}", g, template) for g in [*_grant_types(files), "unknown"]}, []
    if service == "mss" and template == "imap.{command}":
        return set(IMAP_SESSION), []
    return set(), [f"{service}: {template}"]


def handled_operations() -> tuple[dict[str, set[str]], list[str]]:
    operations: dict[str, set[str]] = {}
    unexpanded: list[str] = []
    for service in ("ins", "dmp", "mss", "psc", "annuaire", "ror"):
        files = _files(service)
        found: set[str] = set()
        for path in files:
            for is_f, text in LITERAL.findall(path.read_text(encoding="utf-8")):
                ops, bad = _expand(service, text, files) if is_f else ({text}, [])
                found |= ops
                unexpanded += bad
        operations[service] = found
    from simulators.dmp.server import ROUTES
    from simulators.ins.model import ACTIONS

    operations["dmp"] |= {route.operation for route in ROUTES.values()}
    operations["ins"] |= set(ACTIONS.values())
    return operations, unexpanded
