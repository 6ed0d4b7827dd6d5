"""Spatial grid of a session's positions, so `near` looks at the cells around the centre instead of
every place of the session (200,000 offers: a 20 km search reads a few dozen cells).

The match rule is `matches()`, unchanged from the scan it replaces: a bounding-box prefilter
(|Δlat|·111.2 km and |Δlon|·111.2·cos(lat₀) km ≤ 1.01 r), then the haversine distance ≤ r. A cell
wholly inside that rule for a centre (its points' own bounding box checked at the four corners, where
each of the three distances reaches its maximum) is taken as a whole by set intersection; only
the cells the circle crosses are checked point by point — for the candidates of the search the
first time a centre is asked, then once for all the keys of those cells (the centre's "ring", cached
with its cells, bounded by MAX_RING_KEYS): DUIs search around the same communes again and again.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from simulators.identities.communes import haversine_km

CELL_DEG = 0.05  # ~5.6 km of latitude, ~3.8 km of longitude in metropolitan France
KM_PER_DEG = 111.2
LON_SLACK = 1.01
MAX_RING_KEYS = 1_000_000  # keys kept in the rings of all cached centres (a few tens of MB at most)
_MARGIN_KM = 1e-9  # float rounding of the corner distances (exact bound: the corners are the maxima)

Centre = tuple[float, float, float, float]  # lat, lon, radius km, km per degree of longitude at lat
Point = tuple[str, float, float]  # key, lat, lon


def centre(lat: float, lon: float, radius: float) -> Centre:
    return lat, lon, radius, KM_PER_DEG * math.cos(math.radians(lat))


def matches(c: Centre, lat: float, lon: float) -> float | None:
    """The distance (km) when the point matches the centre, else None."""
    clat, clon, radius, km_per_lon = c
    if abs(lat - clat) * KM_PER_DEG > radius or abs(lon - clon) * km_per_lon > radius * LON_SLACK:
        return None
    dist = haversine_km(clat, clon, lat, lon)
    return dist if dist <= radius else None


def best_distance(centres: Iterable[Centre], positions: Iterable[tuple[float, float]]) -> float | None:
    best = None
    for lat, lon in positions:
        for c in centres:
            dist = matches(c, lat, lon)
            if dist is not None and (best is None or dist < best):
                best = dist
    return best


class Grid:
    """Points (key, lat, lon) bucketed by cells of CELL_DEG degrees; a key may have several points."""

    def __init__(self, points: Iterable[Point]) -> None:
        cells: dict[tuple[int, int], dict[str, list[tuple[float, float]]]] = {}
        for key, lat, lon in points:
            cells.setdefault((math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG)), {}).setdefault(
                key, []).append((lat, lon))
        self.cells = cells  # cell -> key -> its points in the cell
        self._classes: dict[Centre, _Classes] = {}
        self._ring_keys = 0  # keys held by the cached rings, bounded by MAX_RING_KEYS
        self.members = {k: frozenset(keyed) for k, keyed in cells.items()}
        self.bounds = {k: _bounds(keyed) for k, keyed in cells.items()}

    def _cells_near(self, c: Centre) -> Iterable[tuple[int, int]]:
        clat, clon, radius, km_per_lon = c
        dlat = radius / KM_PER_DEG
        lat_lo, lat_hi = math.floor((clat - dlat) / CELL_DEG) - 1, math.floor((clat + dlat) / CELL_DEG) + 1
        if km_per_lon <= 1e-9:
            return [k for k in self.cells if lat_lo <= k[0] <= lat_hi]
        dlon = radius * LON_SLACK / km_per_lon
        lon_lo, lon_hi = math.floor((clon - dlon) / CELL_DEG) - 1, math.floor((clon + dlon) / CELL_DEG) + 1
        if (lat_hi - lat_lo + 1) * (lon_hi - lon_lo + 1) > len(self.cells):
            return [k for k in self.cells if lat_lo <= k[0] <= lat_hi and lon_lo <= k[1] <= lon_hi]
        cells = self.cells
        return [(i, j) for i in range(lat_lo, lat_hi + 1) for j in range(lon_lo, lon_hi + 1) if (i, j) in cells]

    def _inside(self, c: Centre, cell: tuple[int, int]) -> bool:
        lat_min, lat_max, lon_min, lon_max = self.bounds[cell]
        clat, clon, radius, km_per_lon = c
        if max(abs(lat_min - clat), abs(lat_max - clat)) * KM_PER_DEG > radius:
            return False
        if max(abs(lon_min - clon), abs(lon_max - clon)) * km_per_lon > radius * LON_SLACK:
            return False
        return all(haversine_km(clat, clon, lat, lon) <= radius - _MARGIN_KM
                   for lat in (lat_min, lat_max) for lon in (lon_min, lon_max))

    def _classified(self, c: Centre) -> _Classes:
        """Cells wholly inside / crossed by the circle of one centre (cached: DUIs search around the
        same communes again and again; the grid never changes)."""
        found = self._classes.get(c)
        if found is None:
            inside: list[tuple[int, int]] = []
            crossed: list[tuple[int, int]] = []
            for cell in self._cells_near(c):
                (inside if self._inside(c, cell) else crossed).append(cell)
            found = _Classes(inside, crossed)
            if len(self._classes) >= 1024:
                self._drop_classes()
            self._classes[c] = found
        return found

    def _ring(self, c: Centre, classes: _Classes) -> tuple[str, ...] | None:
        """Keys of the crossed cells with a point matching `c`, once the centre is asked again (a
        centre asked once is cheaper scanned for its candidates only); None until then."""
        if classes.ring is None:
            classes.uses += 1
            if classes.uses < 2:
                return None
            # a tuple of str: the GC untracks it, so the cached rings add nothing to its full passes
            ring = tuple(key for cell in classes.crossed for key, points in self.cells[cell].items()
                         if any(matches(c, lat, lon) is not None for lat, lon in points))
            if self._ring_keys + len(ring) > MAX_RING_KEYS:
                self._drop_classes()
                self._classes[c] = classes
            self._ring_keys += len(ring)
            classes.ring = ring
        return classes.ring

    def _drop_classes(self) -> None:
        self._classes.clear()
        self._ring_keys = 0

    def within(self, centres: list[Centre], candidates: Collection[str] | None = None) -> set[str]:
        """Keys (among `candidates`, None: all) with a point matching one of the centres."""
        inside: set[tuple[int, int]] = set()
        crossed: set[tuple[int, int]] = set()
        rings: list[tuple[str, ...]] = []
        for c in centres:
            classes = self._classified(c)
            inside.update(classes.inside)
            ring = self._ring(c, classes)
            if ring is None:
                crossed.update(classes.crossed)
            else:
                rings.append(ring)
        crossed -= inside
        result: set[str] = set()
        for cell in inside:
            result |= self.members[cell] if candidates is None else self.members[cell] & candidates  # type: ignore[operator]
        for ring in rings:
            result.update(ring if candidates is None else _members(candidates).intersection(ring))
        for cell in crossed:  # only the candidates of the cell not matched yet, point by point
            keyed = self.cells[cell]
            members = self.members[cell]
            for key in (members if candidates is None else members.intersection(candidates)) - result:
                if any(matches(c, lat, lon) is not None for lat, lon in keyed[key] for c in centres):
                    result.add(key)
        return result


@dataclass
class _Classes:
    """The cells around one centre, and once it is asked again the matching keys of its crossed ones."""

    inside: list[tuple[int, int]]
    crossed: list[tuple[int, int]]
    uses: int = 0
    ring: tuple[str, ...] | None = None


def _members(candidates: Collection[str]) -> set[str] | frozenset[str]:
    return candidates if isinstance(candidates, (set, frozenset)) else frozenset(candidates)


def _bounds(keyed: dict[str, list[tuple[float, float]]]) -> tuple[float, float, float, float]:
    lats = [lat for points in keyed.values() for lat, _ in points]
    lons = [lon for points in keyed.values() for _, lon in points]
    return min(lats), max(lats), min(lons), max(lons)
