"""The sixteen shipped journeys, by sector: one feature file each (``features/<id>.feature``).

One list for everything that offers them: ``features/journeys.py`` (pytest), ``socle-bench play``, the
dashboard's player (grouped by sector) and the pytest markers (``-m louis``, ``-m pa``). Every feature is
tagged with its id, its person (``@louis`` for both of Louis's) and its sector.
"""

from __future__ import annotations

from dataclasses import dataclass

SECTORS = {  # tag -> French label, in the order the player shows them
    "pde": "Protection de l'enfance",
    "pa": "Personnes âgées",
    "ph": "Personnes en situation de handicap",
}


@dataclass(frozen=True)
class JourneySpec:
    id: str  # feature file stem and pytest marker
    person: str  # persona id (marker shared by a person's journeys)
    sector: str  # key of SECTORS
    label: str  # French, short


CATALOG: tuple[JourneySpec, ...] = (
    JourneySpec("fanny", "fanny", "pde", "Fanny, 8 ans — information préoccupante puis AEMO"),
    JourneySpec("elliot", "elliot", "pde", "Elliot, 14 ans — AEMO judiciaire"),
    JourneySpec("elise", "elise", "pde", "Élise, 15 ans — placement en MECS"),
    JourneySpec("irene", "irene", "pa", "Irène — seule à domicile, SSIAD"),
    JourneySpec("eleanore", "eleanore", "pa", "Éléanore, 88 ans — EHPAD, télé-expertise, urgences"),
    JourneySpec("daniel", "daniel", "pa", "Daniel, 82 ans — du SMR à l'EHPAD avec unité protégée"),
    JourneySpec("christiane", "christiane", "pa", "Christiane, 88 ans — résidence autonomie, sa fille dans Mon espace santé"),
    JourneySpec("samir", "samir", "pa", "Samir, 79 ans — EHPAD et PASA d'un autre organisme"),
    JourneySpec("louis_domicile", "louis", "ph", "Louis (1/2) — du domicile à l'hôpital"),
    JourneySpec("louis_retour", "louis", "ph", "Louis (2/2) — retour à domicile"),
    JourneySpec("claude", "claude", "ph", "Monsieur Claude — foyer de vie, vacances, fracture, SMR"),
    JourneySpec("ginaud", "ginaud", "ph", "Monsieur Ginaud — ESAT et foyer d'hébergement"),
    JourneySpec("adrien_admission", "adrien", "ph", "Adrien (1/2) — admission en DIME"),
    JourneySpec("adrien_chute", "adrien", "ph", "Adrien (2/2) — chute au DIME, urgences, retour"),
    JourneySpec("lucas_camsp", "lucas", "ph", "Lucas (1/2) — de la PMI au CAMSP"),
    JourneySpec("lucas_dime", "lucas", "ph", "Lucas (2/2) — du CAMSP au DIME"),
)
JOURNEYS: tuple[str, ...] = tuple(j.id for j in CATALOG)


def markers() -> dict[str, str]:
    """Every tag the shipped features use beyond the services: sectors, journeys, persons."""
    found = {key: f"parcours du secteur « {label} »" for key, label in SECTORS.items()}
    for journey in CATALOG:
        found.setdefault(journey.id, f"parcours : {journey.label}")
        found.setdefault(journey.person, f"parcours de {journey.label.split(' ')[0].rstrip(',')}")
    return found


def by_sector() -> list[tuple[str, str, list[JourneySpec]]]:
    return [(key, label, [j for j in CATALOG if j.sector == key]) for key, label in SECTORS.items()]
