"""The shipped requirement catalogue and its parser."""

import hashlib

import pytest

from conformance.outcomes import LEVELS
from conformance.requirements import (DEFAULT_CATALOGUE, CatalogueError, load_catalogue, parse_catalogue,
                                      requirement_sort_key)
from tests.conformance.factories import CATALOGUE_CSV

SET_SERVICE = {"bench": "*", "insi": "ins", "dmp": "dmp", "mss": "mss", "annuaire": "annuaire", "ror": "ror",
               "parcours": ("dmp", "mss"), "socle": ("*", "dmp", "mss", "ins")}  # cross-service rules
SPEC_DOCUMENTS = ("insi.md", "dmp.md", "mss.md", "ror.md", "RFC ", "ARCHITECTURE.md", "scenarios.md",
                  "segur-requirements.md")


def test_shipped_catalogue_loads_with_a_content_hash_version():
    catalogue = load_catalogue()
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    assert catalogue.version == "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    assert len(catalogue) >= 60
    assert {r.set_name for r in catalogue} <= set(SET_SERVICE)
    assert {r.set_name for r in catalogue} >= set(SET_SERVICE) - {"socle"}


def test_every_shipped_requirement_is_complete_and_sourced():
    for requirement in load_catalogue():
        assert requirement.level in LEVELS
        allowed = SET_SERVICE[requirement.set_name]
        assert requirement.service in (allowed if isinstance(allowed, tuple) else (allowed,)), requirement.id
        assert any(doc in requirement.source for doc in SPEC_DOCUMENTS), requirement.id
        assert len(requirement.text) > 20, requirement.id


def test_numbers_are_contiguous_per_set():
    numbers: dict[str, list[int]] = {}
    for requirement in load_catalogue():
        numbers.setdefault(requirement.set_name, []).append(requirement.number)
    for set_name, found in numbers.items():
        assert sorted(found) == list(range(1, len(found) + 1)), set_name


def test_for_services_includes_generic_requirements_and_sorts_numerically():
    ids = [r.id for r in load_catalogue().for_services(["ins"])]
    assert ids[0] == "bench@1" and "insi@10" in ids and "dmp@1" not in ids
    assert ids.index("insi@2") < ids.index("insi@10")
    assert sorted(["insi@10", "bench@2", "insi@2"], key=requirement_sort_key) == ["bench@2", "insi@2", "insi@10"]


@pytest.mark.parametrize("bad_row, message", [
    ("insi-1,ins,EXIGENCE,t,s,", "identifiant invalide"),
    ("insi@1,ins,OBLIGATOIRE,t,s,", "niveau attendu"),
    ("insi@1,ins,EXIGENCE,,s,", "colonne text vide"),
    ("demo@1,echo,EXIGENCE,t,s,", "en double"),
])
def test_malformed_rows_are_rejected_with_a_french_message(bad_row, message):
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(CATALOGUE_CSV + bad_row + "\n")


def test_wrong_header_is_rejected():
    with pytest.raises(CatalogueError, match="colonnes attendues"):
        parse_catalogue("id;service;level\n")


def test_merging_changes_the_version_and_keeps_both_sources():
    shipped = load_catalogue()
    extra = parse_catalogue(CATALOGUE_CSV)
    merged = shipped.merged(extra)
    assert merged.version not in (shipped.version, extra.version)
    assert merged.get("demo@4").untested and merged.get("insi@1") is not None
    assert merged.texts == shipped.texts + extra.texts
    with pytest.raises(CatalogueError, match="en double"):
        merged.merged(extra)
