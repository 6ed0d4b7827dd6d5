"""Default identity base of the simulator, and the loader of vendors' own test identities.

The base is the shared world (simulators.identities): the personas, whose INS must agree with what
the DMP and MSSanté simulators know, and the CNAM qualification persons of insi.md §5, with their
history, NIA, Corsican, lunar-date, homonym, invalid-key and fault cases. Vendors add identities as
JSON objects (config file or admin API), validated here with French messages.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from simulators.core.errors import BenchError
from simulators.identities.ins import OID_INS_NIA, OID_INS_NIR, OID_INS_NIR_TEST, InsMatricule
from simulators.identities.model import Person
from simulators.identities.nir import nir_key
from simulators.identities.world import build_world

from simulators.ins.faults import FAULTS
from simulators.ins.model import InsPerson, Matricule

_NIR13 = re.compile(r"^[1-478]\d{4}(?:\d{2}|2[AB])\d{6}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COG = re.compile(r"^[A-Za-z0-9]{5}$")
_TRAIT = re.compile(r"^[A-Z]+(?:(?:-{1,2}|[' ])[A-Z]+)*$")
_PARENT_KINDS = ("mere", "pere", "tuteur")


class PersonError(BenchError, ValueError):
    """A vendor identity cannot be loaded; the message (French) names the field."""


def _matricule(m: InsMatricule, *, history: bool) -> Matricule:
    return Matricule(m.nir, m.key, m.oid, m.type_matricule if history else "", m.date_deb or "", m.date_fin or "")


def _from_world(p: Person, holders: dict[str, str]) -> InsPerson:
    return InsPerson(
        id=p.id, nom_naissance=p.birth_name, prenoms=p.given_names, sexe=p.sex, date_naissance=p.birth_date,
        lieu_naissance=p.birth_place, ins=_matricule(p.ins, history=False) if p.ins else None,
        history=tuple(_matricule(h, history=True) for h in p.ins_history), fault=p.insi.fault or "",
        ouvrant_droit=holders.get(p.id, ""), origin="world", tags=p.tags,
        production_cr=p.insi.production_cr or "", nom_usage=p.used_name,
    )


@lru_cache(maxsize=8)
def world_persons(seed: int, returned_oid: str = OID_INS_NIR,
                  persona_oid: str = OID_INS_NIR_TEST) -> tuple[InsPerson, ...]:
    """The world's persons as INSi knows them; cached (the world itself is cached and frozen).

    A child is found by carte Vitale through the card of the parent who holds it (ouvrant droit).
    """
    world = build_world(seed, persona_oid=persona_oid, cnam_oid=returned_oid)
    by_id = {p.id: p for p in world.persons}
    holders: dict[str, str] = {}
    for p in world.persons:
        if "enfant" not in p.tags:
            continue
        for rel in p.relations:
            parent = by_id.get(rel.person_id)
            if rel.kind in _PARENT_KINDS and parent is not None and parent.ins is not None:
                holders[p.id] = parent.ins.nir
                break
    return tuple(_from_world(p, holders) for p in world.persons)


# --- vendor identities ---------------------------------------------------------------------------
def _str(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise PersonError(f"{key} : texte attendu, obtenu {type(value).__name__}")
    return value.strip()


def _split_ins(value: str, cle: str, where: str) -> tuple[str, str]:
    value = value.replace(" ", "").upper()
    if len(value) == 15:
        value, cle = value[:13], cle or value[13:]
    if not _NIR13.match(value):
        raise PersonError(f"{where} : matricule de 13 caractères (ou 15 avec la clé) attendu, obtenu {value!r}")
    cle = cle or nir_key(value)
    if not re.fullmatch(r"\d{2}", cle):
        raise PersonError(f"{where} : clé sur 2 chiffres attendue, obtenu {cle!r}")
    return value, cle


def _matricule_json(data: Any, default_oid: str, where: str, *, history: bool) -> Matricule:
    if not isinstance(data, dict):
        raise PersonError(f"{where} : objet attendu")
    nir, cle = _split_ins(_str(data, "nir") or _str(data, "ins"), _str(data, "cle"), where)
    type_matricule = _str(data, "type_matricule", "NIR" if history else "")
    oid = _str(data, "oid", default_oid)
    if type_matricule == "NIA" and "oid" not in data:
        oid = OID_INS_NIA
    return Matricule(nir, cle, oid, type_matricule, _str(data, "date_deb"), _str(data, "date_fin"))


def person_from_json(data: Any, *, returned_oid: str = OID_INS_NIR, origin: str = "admin") -> InsPerson:
    """A vendor identity: ``{"nom_naissance", "prenoms", "sexe", "date_naissance", "lieu_naissance",
    "ins": "<13 or 15 chars>" | {"nir", "cle", "oid"}, "history": [...], "fault", "id"}``."""
    if not isinstance(data, dict):
        raise PersonError("objet JSON attendu pour une identité")
    nom = _str(data, "nom_naissance")
    prenoms_raw = data.get("prenoms", "")
    prenoms = tuple(prenoms_raw.split()) if isinstance(prenoms_raw, str) else tuple(str(p) for p in prenoms_raw)
    sexe, date, lieu = _str(data, "sexe"), _str(data, "date_naissance"), _str(data, "lieu_naissance")
    if not _TRAIT.match(nom):
        raise PersonError(f"nom_naissance {nom!r} : majuscules A-Z, espace, tiret ou apostrophe attendus")
    bad = [p for p in prenoms if not _TRAIT.match(p)]
    if not prenoms or bad:
        raise PersonError(f"prenoms : au moins un prénom normalisé attendu (refusés : {bad})")
    if sexe not in ("M", "F"):
        raise PersonError(f"sexe {sexe!r} : M ou F attendu")
    if not _DATE.match(date):
        raise PersonError(f"date_naissance {date!r} : AAAA-MM-JJ attendu (00 permis)")
    if lieu and not _COG.match(lieu):
        raise PersonError(f"lieu_naissance {lieu!r} : code COG de 5 caractères attendu")
    ins_raw = data.get("ins")
    ins = None
    if isinstance(ins_raw, str) and ins_raw:
        ins_raw = {"nir": ins_raw}
    if ins_raw:
        ins = _matricule_json(ins_raw, returned_oid, "ins", history=False)
    history_raw = data.get("history") or []
    if not isinstance(history_raw, list):
        raise PersonError("history : liste attendue")
    history = tuple(_matricule_json({"nir": h} if isinstance(h, str) else h, returned_oid, f"history[{i}]",
                                    history=True) for i, h in enumerate(history_raw))
    fault = _str(data, "fault")
    if fault and fault not in FAULTS:
        raise PersonError(f"fault {fault!r} inconnu ; connus : {', '.join(sorted(FAULTS))}")
    pid = _str(data, "id") or f"{origin}-{nom}-{prenoms[0]}-{date}".lower().replace(" ", "-").replace("'", "")
    od = _str(data, "ouvrant_droit")
    if od:
        od = _split_ins(od, "", "ouvrant_droit")[0]
    nom_usage = _str(data, "nom_usage")
    if nom_usage and not _TRAIT.match(nom_usage):
        raise PersonError(f"nom_usage {nom_usage!r} : majuscules A-Z, espace, tiret ou apostrophe attendus")
    production_cr = _str(data, "production_cr")
    if production_cr not in ("", "00", "01"):
        raise PersonError(f"production_cr {production_cr!r} : 00 ou 01 attendu")
    return InsPerson(pid, nom, prenoms, sexe, date, lieu, ins, history, fault,
                     rang_naissance=_str(data, "rang_naissance", "1") or "1", ouvrant_droit=od, origin=origin,
                     tags=tuple(data.get("tags") or ()), nom_usage=nom_usage, production_cr=production_cr)
