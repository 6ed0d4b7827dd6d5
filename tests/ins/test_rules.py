"""Matching rules (insi.md §2.4, §5): exact traits, given-name rule options, birthplace filter, CR."""

from __future__ import annotations

import pytest

from simulators.ins.model import InsPerson, Matricule, TraitsQuery, VitaleQuery
from simulators.ins.rules import decide, index_persons, match_traits, match_vitale, prenoms_match
from simulators.ins.seed import world_persons

CATARINA = ("CATARINA", "BELLA")


@pytest.mark.parametrize(("sent", "rule", "expected"), [
    (("CATARINA",), "first", True), (("BELLA",), "first", False), (("CATARINA", "BELLA"), "first", True),
    (("CATARINA", "OLA"), "first", False), (("BELLA",), "any", True), (("OLA",), "any", False),
    (("CATARINA",), "list", False), (("CATARINA", "BELLA"), "list", True), ((), "first", True),
])
def test_prenom_rules(sent, rule, expected) -> None:
    assert prenoms_match(sent, CATARINA, rule) is expected


def _person(pid: str, lieu: str = "63220", prenoms: tuple[str, ...] = ("LEONARDO",), fault: str = "") -> InsPerson:
    return InsPerson(pid, "DE VINCI", prenoms, "M", "2014-02-01", lieu, Matricule("1140263220501", "97", "x"),
                     fault=fault)


def test_homonyms_give_02_and_are_separated_by_second_prenom_or_birthplace() -> None:
    index = index_persons([_person("a", "63220", ("LEONARDO", "PIERO")),
                           _person("b", "75114", ("LEONARDO", "ANDREA"))])
    base = TraitsQuery("DE VINCI", ("LEONARDO",), "M", "2014-02-01")
    assert decide(match_traits(index, base)).cr == "02"
    one_element = TraitsQuery("DE VINCI", ("LEONARDO PIERO",), "M", "2014-02-01")  # padoa style
    assert decide(match_traits(index, one_element)).person.id == "a"
    with_place = TraitsQuery("DE VINCI", ("LEONARDO",), "M", "2014-02-01", "75114")
    assert decide(match_traits(index, with_place)).person.id == "b"
    assert decide(match_traits(index, TraitsQuery("DE VINCI", ("LEONARDO",), "M", "2014-02-02"))).cr == "01"
    assert decide(match_traits(index, TraitsQuery("DE VINCI", ("LEONARDO",), "F", "2014-02-01"))).cr == "01"
    assert decide(match_traits(index, TraitsQuery("de vinci", ("LEONARDO",), "M", "2014-02-01"))).cr == "01"


def test_forced_fault_and_person_without_ins() -> None:
    assert decide([_person("a", fault="insi_102")]).fault == "insi_102"
    no_ins = InsPerson("z", "X", ("Y",), "M", "2000-01-01", "", None)
    assert decide([no_ins]).cr == "01"


def test_carte_vitale_match_uses_own_matricule_then_holder_date_and_rank() -> None:
    twin_a = InsPerson("a", "N", ("A",), "F", "2015-01-01", "", Matricule("2150175056001", "11", "x"),
                       rang_naissance="1", ouvrant_droit="1800175056002")
    twin_b = InsPerson("b", "N", ("B",), "F", "2015-01-01", "", Matricule("2150175056003", "22", "x"),
                       rang_naissance="2", ouvrant_droit="1800175056002")
    persons = [twin_a, twin_b]
    assert [p.id for p in match_vitale(persons, VitaleQuery(matricule_individu="2150175056003"))] == ["b"]
    assert len(match_vitale(persons, VitaleQuery(matricule_od="1800175056002", date_naissance="2015-01-01"))) == 2
    assert [p.id for p in match_vitale(persons, VitaleQuery(matricule_od="1800175056002",
                                                            date_naissance="2015-01-01", rang_naissance="02"))] == ["b"]
    assert match_vitale(persons, VitaleQuery(matricule_individu="2150175056003", nom_naissance="M")) == []


def test_world_seed_holds_every_special_case() -> None:
    persons = world_persons(20261122)
    tags = {t for p in persons for t in p.tags}
    assert {"nia", "corse", "homonyme", "cle-invalide", "date-lunaire", "panne"} <= tags
    assert any(p.history for p in persons)
    assert len({p.id for p in persons}) == len(persons)
