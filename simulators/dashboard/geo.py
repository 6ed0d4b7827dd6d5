"""A schematic, tile-free map of France for the ROR view (the bench machine has no internet).

There is no département outline data on the machine and we may not download any, so the map is
honest about being schematic: each département is a dot at its prefecture (coordinates from the
identities package's communes table), projected equirectangularly with the cosine of the mean
latitude, and overseas départements sit in labelled insets. The browser places establishments
with the same linear projection, whose coefficients are part of the JSON (see README).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from simulators.identities.communes import Commune, prefectures

WIDTH = 640.0
MARGIN = 20.0
# Metropolitan France including Corsica.
LON_MIN, LON_MAX, LAT_MIN, LAT_MAX = -5.3, 9.7, 41.3, 51.2
INSET_W, INSET_H, INSET_GAP = 90.0, 60.0, 8.0
OVERSEAS = {"971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte"}
NOTE_FR = ("Carte schématique : chaque département est figuré par un point à sa préfecture ; "
           "pas de fond de carte (banc hors ligne). Outre-mer en encarts.")


@dataclass(frozen=True)
class Projection:
    lon0: float
    lat0: float
    kx: float
    ky: float
    x0: float
    y0: float

    def point(self, latitude: float, longitude: float) -> tuple[float, float]:
        return (round(self.x0 + (longitude - self.lon0) * self.kx, 1),
                round(self.y0 + (self.lat0 - latitude) * self.ky, 1))


def metropolitan_projection() -> Projection:
    scale = (WIDTH - 2 * MARGIN) / ((LON_MAX - LON_MIN) * math.cos(math.radians((LAT_MIN + LAT_MAX) / 2)))
    kx = scale * math.cos(math.radians((LAT_MIN + LAT_MAX) / 2))
    return Projection(lon0=LON_MIN, lat0=LAT_MAX, kx=round(kx, 4), ky=round(scale, 4), x0=MARGIN, y0=MARGIN)


def map_height(projection: Projection) -> float:
    return round(2 * MARGIN + (LAT_MAX - LAT_MIN) * projection.ky + INSET_H + INSET_GAP, 1)


def _insets(projection: Projection) -> list[dict[str, Any]]:
    top = MARGIN + (LAT_MAX - LAT_MIN) * projection.ky + INSET_GAP
    return [{"code": code, "label": label, "x": MARGIN + i * (INSET_W + INSET_GAP), "y": round(top, 1),
             "w": INSET_W, "h": INSET_H} for i, (code, label) in enumerate(OVERSEAS.items())]


def is_overseas(department: str) -> bool:
    return department in OVERSEAS or department.startswith(("97", "98"))


def place(commune: Commune, projection: Projection, insets: list[dict[str, Any]]) -> tuple[float, float]:
    """Metropolitan communes are projected; overseas ones go to the centre of their inset."""
    if is_overseas(commune.department):
        inset = next((i for i in insets if i["code"] == commune.department), None)
        if inset is None:
            return (WIDTH - MARGIN, MARGIN)
        return (inset["x"] + inset["w"] / 2, inset["y"] + inset["h"] / 2 + 6)
    return projection.point(commune.latitude, commune.longitude)


@dataclass(frozen=True)
class DepartmentDot:
    code: str
    prefecture: str
    x: float
    y: float
    overseas: bool


def schematic_map() -> dict[str, Any]:
    """Everything the browser needs to draw the map and place establishments on it."""
    projection = metropolitan_projection()
    insets = _insets(projection)
    dots = []
    for commune in sorted(prefectures(), key=lambda c: c.department):
        x, y = place(commune, projection, insets)
        dots.append(DepartmentDot(commune.department, commune.name, x, y, is_overseas(commune.department)))
    return {"width": WIDTH, "height": map_height(projection), "projection": asdict(projection),
            "bounds": {"lon_min": LON_MIN, "lon_max": LON_MAX, "lat_min": LAT_MIN, "lat_max": LAT_MAX},
            "insets": insets, "departments": [asdict(d) for d in dots], "note": NOTE_FR}
