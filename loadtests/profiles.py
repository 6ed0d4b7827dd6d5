"""The load profiles `socle-bench load --profile NAME` knows: a locustfile and the services it needs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from simulators.core.errors import BenchError

LOCUSTFILES = Path(__file__).with_name("locustfiles")


@dataclass(frozen=True)
class Profile:
    name: str
    locustfile: Path
    services: tuple[str, ...]  # started when `socle-bench load` has to start a bench itself
    description: str  # shown by `socle-bench load --list`


PROFILES: tuple[Profile, ...] = (
    Profile("esms-day", LOCUSTFILES / "esms_day.py", ("ins", "dmp", "mss", "ror"),
            "a day in a child-protection establishment: INSi, DMP, MSSanté and ROR mixed"),
    Profile("ins", LOCUSTFILES / "ins.py", ("ins",), "INSi calls (INS lookup and verification)"),
    Profile("dmp", LOCUSTFILES / "dmp.py", ("dmp",), "DMP: feeding (ITI-41), search (ITI-18), retrieval (ITI-43)"),
    Profile("mss", LOCUSTFILES / "mss.py", ("mss",), "MSSanté: SMTP sending and IMAP retrieval"),
    Profile("ror", LOCUSTFILES / "ror.py", ("ror",), "ROR: searches of healthcare offers (FHIR)"),
)


class UnknownProfileError(BenchError, LookupError):
    pass


def find_profile(name: str) -> Profile:
    for profile in PROFILES:
        if profile.name == name:
            return profile
    raise UnknownProfileError(f"unknown profile {name!r}; profiles: {', '.join(p.name for p in PROFILES)}")
