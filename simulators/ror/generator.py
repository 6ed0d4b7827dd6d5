"""A realistic regional volume of médico-social offers for load tests (opt-in: admin API or
`[services.ror] volume = 20000`).

Offers are spread around the known communes (all of France, or one region's departments) with a
jitter of up to ~15 km, grouped into EG establishments of 1-4 offers and EJ legal entities of 1-5
establishments, with the offer-type mix, age ranges and place counts of the médico-social field
(about 40 % of offers without a free place). Everything comes from one seeded RNG, so a volume
is the same for a given seed and size.
"""

from __future__ import annotations

import gc
import random
import threading
from functools import lru_cache
from typing import Any

from simulators.identities.communes import all_communes
from simulators.identities.identifiers import finess_with_key
from simulators.ror import resources as r
from simulators.ror.codes import coding
from simulators.ror.model import nos

# (weight, offer type TRE_R244, FINESS category TRE_R66, label, age min, age max, publics, care mode,
#  activity, capacity type, installed range)
MIX: tuple[tuple[int, str, str, str, int, int, str, str, str, str, tuple[int, int]], ...] = (
    (22, "21", "500", "Hébergement permanent EHPAD", 60, 120, "01", "46", "293", "02", (40, 120)),
    (8, "24", "500", "Unité de vie protégée", 60, 120, "01", "46", "293", "02", (10, 28)),
    (6, "25", "500", "PASA", 60, 120, "01", "47", "293", "02", (12, 14)),
    (10, "28", "354", "SSIAD", 60, 120, "01", "49", "293", "02", (20, 90)),
    (6, "31", "446", "SAVS", 18, 99, "02", "49", "295", "02", (20, 80)),
    (8, "48", "183", "IME", 6, 20, "02", "47", "300", "02", (30, 90)),
    (4, "50", "186", "ITEP", 6, 20, "02", "46", "289", "02", (20, 50)),
    (4, "61", "190", "CAMSP", 0, 6, "02", "47", "290", "02", (30, 80)),
    (4, "62", "189", "CMPP", 0, 20, "02", "32", "289", "02", (0, 0)),
    (7, "43", "246", "ESAT", 18, 62, "02", "47", "301", "02", (40, 150)),
    (6, "97", "382", "Foyer de vie", 20, 60, "02", "46", "298", "02", (15, 50)),
    (4, "39", "437", "FAM", 20, 99, "02", "46", "293", "02", (20, 60)),
    (3, "40", "255", "MAS", 20, 99, "02", "46", "293", "02", (20, 60)),
    (5, "57", "182", "SESSAD", 0, 20, "02", "49", "300", "02", (15, 60)),
    (3, "125", "223", "Consultations de PMI", 0, 6, "07", "32", "308", "02", (0, 0)),
)
NAMES = ("Les Tilleuls", "Les Peupliers", "Le Verger", "La Source", "Les Acacias", "Le Moulin", "Les Lilas",
         "La Clairière", "Les Érables", "Le Val", "Les Jardins", "La Roseraie", "Les Coteaux", "Le Parc")


_generating = threading.Lock()


def generated(volume: int, seed: int = 2026, region: str | None = None) -> tuple[dict[str, Any], ...]:
    """Cached per process and shared by sessions (the index never modifies a resource). One build at
    a time: the factory starts it when the service starts (`prepare`), and a first search arriving
    meanwhile waits for that build instead of making a second one."""
    with _generating:
        return _generated(volume, seed, region)


def prepare(volume: int, seed: int = 2026, region: str | None = None) -> threading.Thread:
    """Generate the configured volume in the background, at start-up rather than on the first search."""
    thread = threading.Thread(target=generated, args=(volume, seed, region), name="ror-volume", daemon=True)
    thread.start()
    return thread


@lru_cache(maxsize=2)
def _generated(volume: int, seed: int, region: str | None) -> tuple[dict[str, Any], ...]:
    """The GC is paused while 50,000 resources are built: its generation scans would otherwise double the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return tuple(generate(volume, seed=seed, region=region))
    finally:
        if enabled:
            gc.enable()


def generate(volume: int, *, seed: int = 2026, region: str | None = None) -> list[dict[str, Any]]:
    """`volume` offers with their places, EG and EJ organisations (about 2.5 resources per offer)."""
    rng = random.Random(f"socle-bench:ror-volume:{seed}:{volume}:{region}")
    towns = [c for c in all_communes() if not c.code.startswith("99")
             and (region is None or r.region_of(c.department) == region)]
    if not towns:
        raise ValueError(f"aucune commune connue pour la région {region!r}")
    weights = [row[0] for row in MIX]
    out: list[dict[str, Any]] = []
    offers = eg_count = ej_count = 0
    while offers < volume:
        ej_count += 1
        town = rng.choice(towns)
        dep_region = r.region_of(town.department)
        ej_id = f"gen-ej-{ej_count:06d}"
        ej_finess = finess_with_key(f"{town.department[:2]}{rng.randrange(10**6):06d}")
        out.append(r.organization(ej_id, name=f"Association {rng.choice(NAMES)} {ej_count}", region=dep_region,
                                  kind="EJ", identifiers=r.structure_identifiers(finess=ej_finess),
                                  types=[{"coding": [{"system": nos("TRE_R72-FinessStatutJuridique"),
                                                      "code": "60"}]}]))
        for _ in range(rng.randint(1, 5)):
            if offers >= volume:
                break
            eg_count += 1
            row = rng.choices(MIX, weights)[0]
            place = r.Place(f"{rng.randrange(1, 200)} rue {rng.choice(NAMES)}", town.postal_code, town.name,
                            town.code, town.name, round(town.latitude + rng.uniform(-0.13, 0.13), 6),
                            round(town.longitude + rng.uniform(-0.18, 0.18), 6))
            eg_id = f"gen-eg-{eg_count:06d}"
            finess = finess_with_key(f"{town.department[:2]}{rng.randrange(10**6):06d}")
            name = f"{row[3]} {rng.choice(NAMES)} {eg_count}"
            out.append(r.organization(eg_id, name=name, region=dep_region, kind="EG", place=place, part_of=ej_id,
                                      identifiers=r.structure_identifiers(finess=finess),
                                      types=[{"coding": [coding("TRE_R66-CategorieEtablissement", row[2])]}],
                                      phone_number=f"01 99 00 {rng.randrange(100):02d} {rng.randrange(100):02d}"))
            for n in range(1, rng.choice((1, 1, 2, 3, 4)) + 1):
                if offers >= volume:
                    break
                offers += 1
                kind = row if n == 1 else rng.choices(MIX, weights)[0]
                out += _offer(rng, offers, kind, place, eg_id, dep_region, finess, name)
    return out


def _offer(rng: random.Random, number: int, row: tuple, place: r.Place, eg_id: str, region: str,
           finess: str, eg_name: str) -> list[dict[str, Any]]:
    _, category, _, label, age_min, age_max, public, care_mode, activity, cap_type, (low, high) = row
    installed = rng.randint(low, high) if high else 0
    available = 0 if rng.random() < 0.4 else min(installed, rng.randint(1, 6))
    hs_id, loc_id = f"gen-hs-{number:06d}", f"gen-loc-{number:06d}"
    shape = r.OfferShape(name=f"{label} - {eg_name}", category=category, activity=activity, care_mode=care_mode,
                         age_min=age_min, age_max=age_max, publics=(public,), commune_zone=place.commune,
                         sensitive=rng.random() < 0.01)
    capacity = r.Capacity(cap_type, installed, available) if installed else None
    return [r.location(loc_id, name=f"{eg_name} - {label}", region=region, place=place,
                       ror_id=f"{region}/G{number:06d}", managing=eg_id, capacity=capacity),
            r.healthcare_service(hs_id, shape=shape, region=region, ror_id=f"{region}/{finess}-{number}",
                                 provider=eg_id, location_id=loc_id)]
