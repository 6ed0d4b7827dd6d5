"""The requirement catalogue: what a DUI must do, as data (``requirements.csv``).

Requirements live in a CSV rather than in code so that a reviewer (or an ANS auditor) can read and
diff them without Python, and so that the catalogue version printed in a report is a hash of
exactly what was judged against. Extra catalogues (test-only demonstration sets) are merged in
through the check registry, keeping the shipped catalogue clean.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable, Iterator

from simulators.core.errors import BenchError
from conformance.outcomes import LEVELS

DEFAULT_CATALOGUE = Path(__file__).with_name("requirements.csv")
COLUMNS = ("id", "service", "level", "text", "source", "untested")
OFFICIAL_COLUMN = "official_ids"  # optional 7th column (extra catalogues may omit it)
# Confidence of an official id (``../shared/segur-requirements.md``): "officiel" when the id and its
# meaning were seen in an official source (ANS, CNDA) or a near-primary copy of its text; "probable"
# when the link to the bench requirement is inferred or comes from a third party.
CONFIDENCE_LABELS_FR = {"officiel": "vu dans une source officielle", "probable": "correspondance probable"}
_OFFICIAL = re.compile(r"^(?P<id>\S(?:.*\S)?) \((?P<confidence>officiel|probable)\)$")
ALL_SERVICES = "*"
_ID = re.compile(r"^(?P<set>[a-z][a-z0-9_]*)@(?P<n>[1-9][0-9]*)$")


class CatalogueError(BenchError, ValueError):
    """The catalogue file is malformed (shown to the user as an input error)."""


@dataclass(frozen=True)
class Requirement:
    id: str
    service: str  # an Exchange.service name, or "*" for rules that apply to every service
    level: str  # EXIGENCE | RECOMMANDATION
    text: str  # French
    source: str  # spec document and section
    untested: str = ""  # why no check exists, when that is deliberate
    official_ids: tuple[OfficialId, ...] = ()

    @property
    def set_name(self) -> str:
        return self.id.split("@", 1)[0]

    @property
    def number(self) -> int:
        return int(self.id.split("@", 1)[1])

    def applies_to(self, service: str) -> bool:
        return self.service in (ALL_SERVICES, service)


@dataclass(frozen=True)
class OfficialId:
    """An official requirement id (Ségur REM, CNDA, MSSanté Réf. #2…) a bench requirement prepares."""

    id: str
    confidence: str  # officiel | probable

    @property
    def confidence_label(self) -> str:
        return CONFIDENCE_LABELS_FR[self.confidence]

    def __str__(self) -> str:
        return f"{self.id} ({self.confidence})"

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "confidence": self.confidence, "confidence_label": self.confidence_label}


def parse_official_ids(text: str, *, origin: str = "") -> tuple[OfficialId, ...]:
    """``"EX_2.1-1260 (officiel) ; ECO.2.4.2 (probable)"`` -> OfficialId tuple."""
    found = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        match = _OFFICIAL.match(part)
        if not match:
            raise CatalogueError(f"{origin} : identifiant officiel mal formé {part!r} "
                                 "(attendu « ID (officiel) » ou « ID (probable) »)")
        found.append(OfficialId(match["id"], match["confidence"]))
    return tuple(found)


def requirement_sort_key(requirement_id: str) -> tuple[int, str, int]:
    """bench first, then sets alphabetically, numbers numerically (insi@2 before insi@10)."""
    match = _ID.match(requirement_id)
    if not match:
        return (2, requirement_id, 0)
    set_name = match["set"]
    return (0 if set_name == "bench" else 1, set_name, int(match["n"]))


@dataclass(frozen=True)
class Catalogue:
    requirements: tuple[Requirement, ...]
    version: str  # "sha256:<hex>" of the source CSV text (of the versions, once merged)
    texts: tuple[str, ...] = ()  # the CSV sources verbatim, so a bundle can carry what was judged

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for requirement in self.requirements:
            if requirement.id in seen:
                raise CatalogueError(f"exigence en double dans le catalogue : {requirement.id}")
            seen.add(requirement.id)

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    def __contains__(self, requirement_id: object) -> bool:
        return any(r.id == requirement_id for r in self.requirements)

    def get(self, requirement_id: str) -> Requirement | None:
        return self._index().get(requirement_id)

    def _index(self) -> dict[str, Requirement]:
        # Frozen dataclass: build lazily once and memoise on the instance.
        index = self.__dict__.get("_by_id")
        if index is None:
            index = {r.id: r for r in self.requirements}
            object.__setattr__(self, "_by_id", index)
        return index

    def for_services(self, services: Iterable[str] | None) -> list[Requirement]:
        """Requirements that apply to any of ``services`` (all of them when None)."""
        wanted = None if services is None else set(services)
        selected = [
            r for r in self.requirements
            if wanted is None or r.service == ALL_SERVICES or r.service in wanted
        ]
        return sorted(selected, key=lambda r: requirement_sort_key(r.id))

    def preparing(self, official_id: str) -> list[Requirement]:
        """Bench requirements that prepare an official id (exact, case-insensitive match)."""
        wanted = official_id.strip().casefold()
        return sorted((r for r in self.requirements if any(o.id.casefold() == wanted for o in r.official_ids)),
                      key=lambda r: requirement_sort_key(r.id))

    def services(self) -> list[str]:
        return sorted({r.service for r in self.requirements})

    def merged(self, other: Catalogue) -> Catalogue:
        """Union with another catalogue; the version covers both so reports stay traceable."""
        if not other.requirements:
            return self
        version = "sha256:" + hashlib.sha256(f"{self.version}+{other.version}".encode()).hexdigest()
        return Catalogue(self.requirements + other.requirements, version, self.texts + other.texts)


def parse_catalogue(text: str, *, origin: str = "requirements.csv") -> Catalogue:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) not in (COLUMNS, (*COLUMNS, OFFICIAL_COLUMN)):
        raise CatalogueError(f"{origin} : colonnes attendues {', '.join(COLUMNS)}[, {OFFICIAL_COLUMN}], "
                             f"obtenues {reader.fieldnames}")
    requirements = []
    for line, row in enumerate(reader, start=2):
        requirements.append(_requirement_from_row(row, origin=f"{origin}:{line}"))
    version = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Catalogue(tuple(requirements), version, (text,))


def _requirement_from_row(row: dict[str, str], *, origin: str) -> Requirement:
    values = {key: (row.get(key) or "").strip() for key in COLUMNS}
    if not _ID.match(values["id"]):
        raise CatalogueError(f"{origin} : identifiant invalide {values['id']!r} (attendu <ensemble>@<n>)")
    if values["level"] not in LEVELS:
        raise CatalogueError(f"{origin} : niveau attendu {' ou '.join(LEVELS)}, obtenu {values['level']!r}")
    for key in ("service", "text", "source"):
        if not values[key]:
            raise CatalogueError(f"{origin} : colonne {key} vide pour {values['id']}")
    official = parse_official_ids((row.get(OFFICIAL_COLUMN) or "").strip(), origin=origin)
    return Requirement(**values, official_ids=official)


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    path = Path(path) if path is not None else DEFAULT_CATALOGUE
    return parse_catalogue(path.read_text(encoding="utf-8"), origin=path.name)


EMPTY_CATALOGUE = Catalogue((), "sha256:" + hashlib.sha256(b"").hexdigest())
