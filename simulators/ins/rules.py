"""Matching of a request against the identity base (insi.md §2.4, §5 and the simulator checklist).

Birth name, sex and birth date match exactly (the base stores ``00`` parts as they are, so a lunar
date matches only when sent the same way); the birthplace filters only when sent. How given names
match is the one rule the sources leave open (a non-first given name is UNCONFIRMED), so it is an
option:

- ``first`` (default, what qualification showed): the first given name sent must be the first of the
  stored list; any further given names sent must be in the stored list. Adding the other given names
  therefore narrows a ``02`` the way insi.md §2.4 tells clients to retry.
- ``any``: every given name sent must be in the stored list.
- ``list``: the given names sent must be the whole stored list, in order.

No given name sent means no constraint on given names (the XSD allows it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from simulators.ins.model import (
    CR_FOUND, CR_NONE, CR_SEVERAL, InsPerson, LookupResult, TraitsQuery, VitaleQuery,
)

PRENOM_RULES = ("first", "any", "list")
TraitsKey = tuple[str, str, str]


def traits_key(nom: str, sexe: str, date: str) -> TraitsKey:
    return (nom, sexe, date)


def index_persons(persons: Iterable[InsPerson]) -> dict[TraitsKey, tuple[InsPerson, ...]]:
    """Index on the exact traits so a lookup is one dict access whatever the base size."""
    index: dict[TraitsKey, list[InsPerson]] = {}
    for p in persons:
        index.setdefault(traits_key(p.nom_naissance, p.sexe, p.date_naissance), []).append(p)
    return {k: tuple(v) for k, v in index.items()}


def prenoms_match(sent: Sequence[str], stored: Sequence[str], rule: str) -> bool:
    if not sent:
        return True
    if rule == "list":
        return tuple(sent) == tuple(stored)
    if rule == "any":
        return all(s in stored for s in sent)
    return bool(stored) and sent[0] == stored[0] and all(s in stored for s in sent[1:])


def match_traits(index: Mapping[TraitsKey, Sequence[InsPerson]], query: TraitsQuery,
                 rule: str = "first") -> list[InsPerson]:
    candidates = index.get(traits_key(query.nom_naissance, query.sexe, query.date_naissance), ())
    sent = query.prenom_tokens
    return [p for p in candidates
            if prenoms_match(sent, p.prenoms, rule)
            and (not query.lieu_naissance or query.lieu_naissance == p.lieu_naissance)]


def match_vitale(persons: Iterable[InsPerson], query: VitaleQuery) -> list[InsPerson]:
    """By the beneficiary's own matricule when the card carries it, else by the insured's matricule
    (ouvrant droit) plus birth date and twin rank; the birth name, when sent, must agree."""
    found = []
    for p in persons:
        if p.ins is None:
            continue
        if query.matricule_individu:
            if p.ins.nir != query.matricule_individu:
                continue
        else:
            holder = p.ouvrant_droit or p.ins.nir
            if holder != query.matricule_od:
                continue
            if query.date_naissance and query.date_naissance != p.date_naissance:
                continue
            if query.rang_naissance and query.rang_naissance.lstrip("0") != p.rang_naissance.lstrip("0"):
                continue
        if query.nom_naissance and query.nom_naissance != p.nom_naissance:
            continue
        found.append(p)
    return found


def usage_name_suspects(persons: Iterable[InsPerson], query: TraitsQuery) -> list[str]:
    """Persons whose *used* name (not the INS birth name) was sent: explains a 01 to the vendor."""
    return [p.id for p in persons if p.nom_usage and p.nom_usage == query.nom_naissance
            and p.sexe == query.sexe and p.date_naissance == query.date_naissance]


def decide(matches: Sequence[InsPerson]) -> LookupResult:
    """0 -> 01, 1 -> 00, more -> 02; a person flagged with a fault (insi.md §5 D'AEION, DE VINCI RUTH)
    makes the service fail instead of answering, as the qualification service did."""
    ids = tuple(p.id for p in matches)
    faulty = next((p.fault for p in matches if p.fault), "")
    if faulty:
        return LookupResult(CR_NONE, None, ids, fault=faulty)
    if not matches:
        return LookupResult(CR_NONE, None, ids)
    if len(matches) > 1:
        return LookupResult(CR_SEVERAL, None, ids)
    person = matches[0]
    if person.ins is None:  # a person without INS in the base: the service knows no INS for it
        return LookupResult(CR_NONE, None, ids)
    return LookupResult(CR_FOUND, person, ids)
