"""MSSanté domains and addresses of the bench world.

All bench domains end in ``.mssante.test`` (the ``.test`` TLD is reserved, so nothing can leak to a
real operator) except the patient domain, which keeps the real ``patient.mssante.fr`` form because
DUIs build it from the INS and the conformance checks compare it literally. The judiciary domain
``tribunal-judiciaire.justice.test`` and the families' ordinary mail domain are deliberately
**outside** the trust space: a message to them must be refused by the MSS operator (Elise step 2).
"""

from __future__ import annotations

import re
import unicodedata

from simulators.identities.ins import PATIENT_MSS_DOMAIN, patient_mss_address
from simulators.identities.model import MssDomain

BENCH_SUFFIX = "mssante.test"
JUDICIARY_DOMAIN = "tribunal-judiciaire.justice.test"
ORDINARY_MAIL_DOMAIN = "messagerie-perso.test"
LIBERAL_DOMAINS = {
    "medecin": "medecin.mssante.test",
    "pharmacien": "pharmacien.mssante.test",
    "infirmier": "infirmier.mssante.test",
    "paramedical": "paramedical.mssante.test",
}

__all__ = [
    "BENCH_SUFFIX",
    "JUDICIARY_DOMAIN",
    "LIBERAL_DOMAINS",
    "ORDINARY_MAIL_DOMAIN",
    "PATIENT_MSS_DOMAIN",
    "fixed_domains",
    "patient_mss_address",
    "person_address",
    "slug",
    "structure_domain",
]


def slug(text: str) -> str:
    """ASCII lowercase local-part / label: ``"Hélène D'Almeida"`` -> ``"helene-dalmeida"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = ascii_text.replace("'", "").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def structure_domain(short_name: str) -> str:
    return f"{slug(short_name)}.{BENCH_SUFFIX}"


def person_address(first_name: str, last_name: str, domain: str) -> str:
    """``prenom.nom@domaine``: the common convention (not a rule, mss.md §1)."""
    return f"{slug(first_name).replace('-', '')}.{slug(last_name)}@{domain}"


def fixed_domains() -> tuple[MssDomain, ...]:
    """Domains that exist whatever the establishments: liberal, patient, and the outside ones."""
    liberal = tuple(
        MssDomain(domain, "Opérateur national (banc)", True, f"BAL des {kind}s libéraux")
        for kind, domain in sorted(LIBERAL_DOMAINS.items())
    )
    return (*liberal, MssDomain(PATIENT_MSS_DOMAIN, "Mon espace santé", True, "adresses usagers <INS>@patient.mssante.fr, INS qualifiée seulement"), MssDomain(JUDICIARY_DOMAIN, "Ministère de la Justice (hors MSSanté)", False, "la Justice n'est pas éligible à MSSanté : envoi refusé par l'opérateur"), MssDomain(ORDINARY_MAIL_DOMAIN, "Messagerie grand public", False, "messagerie ordinaire des familles, hors espace de confiance"))
