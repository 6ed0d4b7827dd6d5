"""The load profiles `socle-bench load --profile NAME` knows: a locustfile and the services it needs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LOCUSTFILES = Path(__file__).with_name("locustfiles")


@dataclass(frozen=True)
class Profile:
    name: str
    locustfile: Path
    services: tuple[str, ...]  # started when `socle-bench load` has to start a bench itself
    description: str  # French, shown by `socle-bench load --list`


PROFILES: tuple[Profile, ...] = (
    Profile("esms-day", LOCUSTFILES / "esms_day.py", ("ins", "dmp", "mss", "ror"),
            "journée d'un établissement de protection de l'enfance : INSi, DMP, MSSanté et ROR mêlés"),
    Profile("ins", LOCUSTFILES / "ins.py", ("ins",), "appels INSi (recherche et vérification d'INS)"),
    Profile("dmp", LOCUSTFILES / "dmp.py", ("dmp",), "DMP : alimentation (ITI-41), recherche (ITI-18), consultation (ITI-43)"),
    Profile("mss", LOCUSTFILES / "mss.py", ("mss",), "MSSanté : envoi SMTP et relève IMAP"),
    Profile("ror", LOCUSTFILES / "ror.py", ("ror",), "ROR : recherches d'offres de santé (FHIR)"),
)


class UnknownProfileError(LookupError):
    pass


def find_profile(name: str) -> Profile:
    for profile in PROFILES:
        if profile.name == name:
            return profile
    raise UnknownProfileError(f"profil inconnu {name!r}; profils: {', '.join(p.name for p in PROFILES)}")
