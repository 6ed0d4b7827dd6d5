"""Geographic criteria (ror.md §1.9): `near=lat|lon|distance|unit` (WGS84, haversine) and the ROR's
`near-insee-code=<COG>|distance|unit`, whose centre is the commune centre of the bench's COG table.
Big candidate sets are first cut to a latitude band of the index; distances are kept for the
`location-distance` extension.
"""

from __future__ import annotations

import math
from typing import Any

from simulators.identities.communes import find_commune, haversine_km
from simulators.ror.codec import Clause, SearchError
from simulators.ror.evaluation import Evaluation, Ids
from simulators.ror.params import ParamDef


_DISTANCE_UNITS = {"km": 1.0, "m": 0.001, "mi": 1.609344, "[mi_i]": 1.609344}
MAX_RADIUS_KM = 2000.0
LARGE_SET = 1000


def parse_near(pdef: ParamDef, raw: str) -> tuple[float, float, float]:
    parts = raw.split("|")
    if pdef.name == "near-insee-code":
        if len(parts) not in (1, 2, 3):
            raise SearchError(f"near-insee-code attend code|distance|unité, obtenu {raw[:60]!r}")
        town = find_commune(parts[0].strip())
        if town is None:
            raise SearchError(f"near-insee-code : commune {parts[0][:10]!r} inconnue du simulateur")
        lat, lon, rest = town.latitude, town.longitude, parts[1:]
    else:
        if len(parts) not in (2, 3, 4):
            raise SearchError(f"near attend latitude|longitude|distance|unité, obtenu {raw[:60]!r}")
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError as exc:
            raise SearchError(f"near : coordonnées invalides {raw[:60]!r}") from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise SearchError("near : coordonnées hors limites WGS84")
        rest = parts[2:]
    distance, unit = (rest + ["", ""])[:2]
    unit = unit or "km"
    if unit not in _DISTANCE_UNITS:
        raise SearchError(f"unité de distance non prise en charge : {unit!r} (km ou m)")
    try:
        radius = float(distance) * _DISTANCE_UNITS[unit] if distance else 10.0
    except ValueError as exc:
        raise SearchError(f"distance invalide : {distance[:20]!r}") from exc
    if not 0 <= radius <= MAX_RADIUS_KM or math.isnan(radius):
        raise SearchError(f"distance hors limites (0 à {MAX_RADIUS_KM:.0f} km)")
    return lat, lon, radius


def near(ev: Evaluation, rtype: str, pdef: ParamDef, clause: Clause, candidates: Ids) -> Ids:
    if clause.modifier or clause.op not in ("", "eq"):
        raise SearchError(f"modificateur non applicable à {clause.name}")
    centres = [parse_near(pdef, raw) for raw in clause.values]
    column = ev.index.column(rtype, pdef)
    pool: Any = candidates
    if len(candidates) > LARGE_SET:
        band: set[str] = set()
        for clat, _clon, radius in centres:
            band.update(ev.index.latitude_band(rtype, pdef, clat - radius / 111.0, clat + radius / 111.0))
        pool = band.intersection(candidates)
    scaled = [(clat, clon, radius, 111.2 * math.cos(math.radians(clat))) for clat, clon, radius in centres]
    result = set()
    for rid in pool:
        best = None
        for lat, lon in column.get(rid, ()):
            for clat, clon, radius, km_per_lon in scaled:
                if abs(lat - clat) * 111.2 > radius or abs(lon - clon) * km_per_lon > radius * 1.01:
                    continue
                dist = haversine_km(clat, clon, lat, lon)
                if dist <= radius and (best is None or dist < best):
                    best = dist
        if best is not None:
            result.add(rid)
            ev.distances[f"{rtype}/{rid}"] = round(best, 2)
    return result
