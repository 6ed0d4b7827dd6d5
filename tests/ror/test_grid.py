"""The spatial grid of `near` gives exactly what the point-by-point scan it replaced gives, for
small and large radii, several centres, candidate subsets, and places on cell edges."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl

import pytest

from simulators.ror.codec import parse_search
from simulators.ror.grid import CELL_DEG, Grid, centre, matches
from simulators.ror.index import SessionIndex
from simulators.ror.search import Evaluation, match_all
from simulators.ror.seed import seed_resources


def scan(points, centres, candidates=None):
    return {key for key, lat, lon in points if (candidates is None or key in candidates)
            and any(matches(c, lat, lon) is not None for c in centres)}


@pytest.fixture(scope="module")
def points():
    rng = random.Random(3)
    pts = [(f"p{n}", round(rng.uniform(42.0, 51.0), 6), round(rng.uniform(-4.5, 8.0), 6)) for n in range(6000)]
    pts += [(f"dense{n}", round(48.85 + rng.uniform(-0.2, 0.2), 6), round(2.35 + rng.uniform(-0.3, 0.3), 6))
            for n in range(4000)]
    pts += [(f"edge{n}", n * CELL_DEG, 2 * CELL_DEG) for n in range(960, 1000)]  # exactly on cell borders
    pts += [("p1", 48.0, 2.0)]  # a key with two points
    return pts


@pytest.mark.parametrize("radius", [0.0, 0.3, 2.0, 5.0, 12.0, 20.0, 50.0, 300.0, 2000.0])
def test_grid_equals_scan(points, radius: float) -> None:
    grid = Grid(points)
    rng = random.Random(radius)
    for _ in range(8):
        centres = [centre(rng.uniform(42.0, 51.0), rng.uniform(-4.5, 8.0), radius)
                   for _ in range(rng.choice((1, 1, 2, 3)))]
        centres.append(centre(48.85, 2.35, radius))
        assert grid.within(centres) == scan(points, centres)
        subset = {key for key, _, _ in points[::3]}
        assert grid.within(centres, subset) == scan(points, centres, subset)


def test_grid_exact_points_and_poles() -> None:
    pts = [("a", 48.0, 2.0), ("b", 89.99, 10.0), ("c", -89.99, -170.0)]
    grid = Grid(pts)
    assert grid.within([centre(48.0, 2.0, 0.0)]) == {"a"}
    assert grid.within([centre(90.0, 0.0, 5.0)]) == scan(pts, [centre(90.0, 0.0, 5.0)]) == {"b"}
    assert grid.within([centre(-90.0, 0.0, 5.0)]) == {"c"}


def test_a_wrong_grid_is_caught(points) -> None:
    """The comparison above can fail: a grid that forgets its crossed cells differs from the scan."""
    grid = Grid(points)
    grid.cells = {k: {key: [] for key in keyed} for k, keyed in grid.cells.items()}  # points gone from the cells
    c = [centre(48.85, 2.35, 20.0)]
    assert grid.within(c) != scan(points, c)


def _search(index, query: str, hidden: frozenset[str]):
    request = parse_search(parse_qsl(query, keep_blank_values=True))
    ev = Evaluation(index, hidden)
    return match_all(ev, "HealthcareService", request.clauses, request.filter), dict(ev.distances)


@pytest.mark.parametrize("query", [
    "location.near-insee-code=93048|12|km",
    "location.near=48.9|2.4|30|km,45.76|4.83|20|km&service-category=21,48",
    "_filter=name co 'a' or location.near-insee-code eq 93048|8|km",
    "location.near=48.9|2.4|0.5|km",
])
def test_offers_grid_equals_the_generic_chain(query: str) -> None:
    """`location.near` on offers through the offers' own grid gives the ids and distances of the
    generic chain (which runs when a visibility set hides a place: forced here with a place that
    does not exist)."""
    index = SessionIndex(seed_resources())
    fast = _search(index, query, frozenset())
    generic = _search(index, query, frozenset({"Location/absent"}))
    assert fast == generic
    assert fast[0] or "0.5" in query


@pytest.mark.parametrize("radius", [0.3, 5.0, 20.0, 300.0])
def test_a_centre_asked_again_uses_its_ring_and_answers_the_same(points, radius: float, monkeypatch) -> None:
    grid = Grid(points)
    rng = random.Random(radius)
    paris, lyon = centre(48.85, 2.35, radius), centre(45.76, 4.83, radius)
    subsets = [None, {key for key, _, _ in points[::3]}, {key for key, _, _ in points if key.startswith("dense")}]
    for _ in range(3):  # first use: candidate scan; then the ring of the centre
        for subset in subsets:
            for centres in ([paris], [paris, lyon], [lyon, centre(rng.uniform(42, 51), rng.uniform(-4, 8), radius)]):
                assert grid.within(centres, subset) == scan(points, centres, subset)
    assert grid._classes[paris].ring is not None
    monkeypatch.setattr("simulators.ror.grid.MAX_RING_KEYS", 10)  # rings over the bound: the cache starts again
    fresh = Grid(points)
    for _ in range(3):
        assert fresh.within([paris, lyon]) == scan(points, [paris, lyon])
    assert fresh._ring_keys <= max(10, *(len(c.ring or ()) for c in fresh._classes.values()))


def test_a_wrong_ring_is_caught(points) -> None:
    """The comparison above can fail: a ring missing its matches differs from the scan."""
    grid = Grid(points)
    c = [centre(48.85, 2.35, 20.0)]
    grid.within(c), grid.within(c)
    grid._classes[c[0]].ring = ()
    assert grid.within(c) != scan(points, c)
