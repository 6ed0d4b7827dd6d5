"""The seeded world every simulator starts from, and its byte-stable JSON export.

``build_world(seed)`` is pure: the stories come from personas.py / professionals.py /
establishments.py / insi_persons.py, and everything else (NIR order numbers, FINESS, RPPS, SIRET,
street addresses, phone numbers, coordinates) is drawn from a ``random.Random`` per record,
seeded with a string (world seed + record id), whose sequence Python guarantees across versions.
Faker is deliberately not used here: its fr_FR data changes between releases and takes 0.2 s to
load, and a vendor who loaded the world into their DUI must get the same world next year. The
result is cached per parameters and immutable.

OIDs: the CNAM test persons carry ``cnam_oid`` (``.8`` by default: the qualification INSi returns
``.8`` even for its fictitious persons); the bench personas carry ``persona_oid`` (``.10``, INS-NIR
de test, by default, the value DMP/CI-SIS test material uses). Both are parameters.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from simulators.identities import establishments as est_specs
from simulators.identities import world_draw
from simulators.identities.communes import find_commune
from simulators.identities.ins import OID_INS_NIR, OID_INS_NIR_TEST
from simulators.identities.insi_persons import cnam_test_persons, insi_probes
from simulators.identities.model import (
    Establishment, InsiProbe, MssDomain, Person, Professional,
)
from simulators.identities.mssante import fixed_domains
from simulators.identities.personas import PERSONAS
from simulators.identities.professionals import PROFESSIONALS

DEFAULT_SEED = 20261122  # = BenchConfig.seed: `data export` shows the world the services serve
FORMAT = "socle-bench-world"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class World:
    seed: int
    persona_oid: str
    cnam_oid: str
    persons: tuple[Person, ...]
    professionals: tuple[Professional, ...]
    establishments: tuple[Establishment, ...]
    mss_domains: tuple[MssDomain, ...]
    insi_probes: tuple[InsiProbe, ...]

    def __post_init__(self) -> None:
        # Plain attribute, not a field: invisible to asdict() and to equality.
        index: dict[str, Any] = {}
        for record in self.persons + self.professionals + self.establishments:
            if record.id in index:
                raise ValueError(f"identifiant en double dans le monde : {record.id}")
            index[record.id] = record
        object.__setattr__(self, "_index", index)

    def person(self, pid: str) -> Person:
        return self._typed(pid, Person)

    def professional(self, pid: str) -> Professional:
        return self._typed(pid, Professional)

    def establishment(self, eid: str) -> Establishment:
        return self._typed(eid, Establishment)

    def find(self, rid: str) -> Person | Professional | Establishment | None:
        """Any record by id (ids are unique across the three kinds)."""
        return self._index.get(rid)  # type: ignore[attr-defined]

    def _typed(self, rid: str, kind: type) -> Any:
        record = self.find(rid)
        if not isinstance(record, kind):
            raise KeyError(rid)
        return record

    def personas(self) -> tuple[Person, ...]:
        return tuple(p for p in self.persons if "persona" in p.tags)

    def trust_space(self) -> frozenset[str]:
        """MSSanté domains inside the trust space (the operator delivers to them)."""
        return frozenset(d.name for d in self.mss_domains if d.in_trust_space)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = FORMAT
        data["version"] = FORMAT_VERSION
        data["communes"] = [asdict(c) for c in _used_communes(self)]
        return data

    def to_json(self) -> str:
        """Byte-stable export: sorted keys, fixed separators, UTF-8 text, trailing newline."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def _used_communes(world: World) -> list[Any]:
    codes = {p.birth_place for p in world.persons}
    codes |= {p.address.commune_code for p in world.persons if p.address}
    codes |= {e.address.commune_code for e in world.establishments}
    return [c for c in (find_commune(code) for code in sorted(codes)) if c is not None]


@lru_cache(maxsize=16)
def build_world(
    seed: int = DEFAULT_SEED,
    *,
    persona_oid: str = OID_INS_NIR_TEST,
    cnam_oid: str = OID_INS_NIR,
) -> World:
    """The world for this seed; cached, and safe to share because every record is frozen."""
    cnam = cnam_test_persons(cnam_oid)
    used_nirs = {p.ins.nir for p in cnam if p.ins} | {h.nir for p in cnam for h in p.ins_history}
    establishments = world_draw.draw_establishments(seed, est_specs.ESTABLISHMENTS)
    by_id = {e.id: e for e in establishments}
    personas = world_draw.draw_persons(seed, PERSONAS, persona_oid, used_nirs, by_id)
    professionals = world_draw.draw_professionals(seed, PROFESSIONALS, by_id)
    domains = {d.name: d for d in fixed_domains()}
    for establishment in establishments:
        if establishment.mss_domain and establishment.mss_domain not in domains:
            domains[establishment.mss_domain] = MssDomain(
                establishment.mss_domain, f"Opérateur du banc ({establishment.legal_entity})", True,
                "domaine de structure du banc",
            )
    return World(
        seed=seed,
        persona_oid=persona_oid,
        cnam_oid=cnam_oid,
        persons=personas + cnam,
        professionals=professionals,
        establishments=establishments,
        mss_domains=tuple(domains[name] for name in sorted(domains)),
        insi_probes=insi_probes(),
    )
