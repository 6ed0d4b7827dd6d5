"""INSEE commune codes (COG) with postal codes and centre coordinates, plus foreign-country codes.

The ROR's ``near-insee-code`` search needs a commune -> centre table, and the world places every
establishment near a commune. ``communes.csv`` (next to this module) holds the 101 prefectures,
the communes the personas use, a few more in Corsica and overseas. It is **hand-written**: codes
are the official COG codes to the best of our knowledge, coordinates are town-centre
approximations (within about a kilometre), not an extract of the INSEE file. Good enough for
distance searches at 1 km resolution; synthetic-but-plausible, not authoritative.
"""

from __future__ import annotations

import csv
import gzip
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: Born-abroad birthplace codes (``99`` + INSEE country code) used by the world.
COUNTRIES = {
    "99109": "Allemagne",
    "99127": "Italie",
    "99131": "Belgique",
    "99132": "Royaume-Uni",
    "99134": "Espagne",
    "99139": "Portugal",
    "99140": "Suisse",
    "99326": "Côte d'Ivoire",
    "99341": "Sénégal",
    "99350": "Maroc",
    "99351": "Tunisie",
    "99352": "Algérie",
}
UNKNOWN_BIRTHPLACE = "99999"


@dataclass(frozen=True)
class Commune:
    code: str  # COG, 5 characters (2A/2B for Corsica)
    name: str
    department: str  # 2 characters, 3 for overseas (971...)
    postal_code: str
    latitude: float
    longitude: float
    prefecture: bool


@lru_cache(maxsize=1)
def _table() -> tuple[Commune, ...]:
    text = resources.files("simulators.identities").joinpath("communes.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        Commune(
            code=row["code"],
            name=row["name"],
            department=row["department"],
            postal_code=row["postal_code"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            prefecture=row["prefecture"] == "1",
        )
        for row in rows
    )


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Commune]:
    return {commune.code: commune for commune in _table()}


def all_communes() -> tuple[Commune, ...]:
    return _table()


def commune(code: str) -> Commune:
    """The commune with this COG code; KeyError when the bench does not know it."""
    return _by_code()[code]


def find_commune(code: str) -> Commune | None:
    """The bench's own commune (world places) first, else any current French commune of the COG."""
    return _by_code().get(code) or _cog().get(code)


@lru_cache(maxsize=1)
def _cog() -> dict[str, Commune]:
    """Every current commune (COG) with a centre point, from `communes_cog.csv.gz` (built by
    `make communes-cog` from the Etalab COG package and GeoNames, see cog_build.py)."""
    raw = resources.files("simulators.identities").joinpath("communes_cog.csv.gz").read_bytes()
    rows = csv.DictReader(gzip.decompress(raw).decode("utf-8").splitlines())
    return {row["code"]: Commune(code=row["code"], name=row["name"], department=row["department"],
                                 postal_code=row["postal_code"], latitude=float(row["latitude"]),
                                 longitude=float(row["longitude"]), prefecture=False) for row in rows}


def prefectures() -> tuple[Commune, ...]:
    return tuple(c for c in _table() if c.prefecture)


def prefecture_of(department: str) -> Commune:
    for candidate in _table():
        if candidate.prefecture and candidate.department == department:
            return candidate
    raise KeyError(department)


def communes_of(department: str) -> tuple[Commune, ...]:
    return tuple(c for c in _table() if c.department == department)


def department_of(code: str) -> str:
    """Department of a COG code without a table lookup (``97105`` -> ``971``, ``2A004`` -> ``2A``)."""
    return code[:3] if code.startswith(("97", "98")) else code[:2]


def is_born_abroad(code: str) -> bool:
    return code.startswith("99")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (mean Earth radius 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def distance_km(code_a: str, code_b: str) -> float:
    a, b = commune(code_a), commune(code_b)
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


def communes_near(code: str, radius_km: float) -> tuple[Commune, ...]:
    """Known communes whose centre is within ``radius_km`` of this one, nearest first."""
    centre = commune(code)
    scored = [
        (haversine_km(centre.latitude, centre.longitude, c.latitude, c.longitude), c.code, c)
        for c in _table()
    ]
    return tuple(c for d, _, c in sorted(scored) if d <= radius_km)
