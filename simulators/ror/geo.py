"""Geographic criteria (ror.md §1.9): `near=lat|lon|distance|unit` (WGS84, haversine) and the ROR's
`near-insee-code=<COG>|distance|unit`, whose centre is the commune centre of the bench's COG table.
The index's spatial grid (grid.py) narrows the places to the cells around the centre; distances are
computed for the places a page shows (`location-distance` extension, evaluation.Distances).
"""

from __future__ import annotations

import math

from simulators.identities.communes import find_commune
from simulators.ror.codec import Clause, SearchError
from simulators.ror.evaluation import Evaluation, Ids
from simulators.ror.grid import Centre, centre
from simulators.ror.params import PARAMS, ParamDef


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
    distance, unit = [*rest, "", ""][:2]
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


def centres_of(pdef: ParamDef, clause: Clause) -> list[Centre]:
    if clause.modifier or clause.op not in ("", "eq"):
        raise SearchError(f"modificateur non applicable à {clause.name}")
    return [centre(*parse_near(pdef, raw)) for raw in clause.values]


def near(ev: Evaluation, rtype: str, pdef: ParamDef, clause: Clause, candidates: Ids) -> Ids:
    centres = centres_of(pdef, clause)
    result = ev.index.grid(rtype, pdef).within(centres, candidates)
    ev.distances.record(rtype, centres, ev.index.column(rtype, pdef), result.__contains__, lambda: result)
    return result


def chained_near(ev: Evaluation, rtype: str, link: ParamDef, inner: Clause, candidates: Ids) -> Ids | None:
    """`<link>.near…` on `rtype` (offers near here) through the grid of the linked places, keyed by
    the offer: None when the visibility set hides some place (then the generic chain applies).
    Same results and distances as the generic chain: a place gets its distance when it matches and,
    for a small candidate set, when a candidate points at it (the generic chain's pool)."""
    target = link.target
    if ev.index.hides(ev.hidden, target):
        return None
    pdef = PARAMS[target].get(inner.name)
    if pdef is None or pdef.type != "special":
        return None
    centres = centres_of(pdef, inner)
    result = ev.index.chain_grid(rtype, link, pdef).within(centres, candidates)
    column = ev.index.column(target, pdef)
    if len(candidates) > LARGE_SET:  # the generic chain searched every (visible) place
        def member(rid: str) -> bool:
            return rid in column
    else:
        reverse = ev.index.referrers(rtype, link)
        pool = frozenset(candidates)

        def member(rid: str) -> bool:
            return not pool.isdisjoint(reverse.get(f"{target}/{rid}", ()))
    ev.distances.record(target, centres, column, member, lambda: {r for r in column if member(r)})
    return result
