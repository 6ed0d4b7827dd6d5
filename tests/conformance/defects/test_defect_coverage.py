"""Every requirement that has a check has at least one seeded defect (or a stated reason why none can be made)."""

from __future__ import annotations

from conformance.registry import default_registry
from conformance.requirements import load_catalogue
from tests.conformance.defects import (
    test_acceptance, test_annuaire_defects, test_bench_defects, test_cross_defects, test_dmp_defects, test_ins_defects,
    test_mss_defects, test_ror_defects,
)

TABLES = (test_ins_defects.DEFECTS, test_dmp_defects.DEFECTS, test_mss_defects.DEFECTS, test_ror_defects.DEFECTS,
          test_annuaire_defects.DEFECTS, test_bench_defects.DEFECTS, test_cross_defects.DEFECTS)
# Requirements with a check but no defect a DUI can make against the bench, and why (French, shown on failure).
NO_DEFECT = {
    "bench@1": "l'absence de réponse est le fait du simulateur ou du réseau, jamais une requête du logiciel",
    "mss@2": "la pile TLS du banc (OpenSSL 3, niveau de sécurité par défaut) refuse TLS 1.0/1.1 à la poignée de "
             "main : aucun échange n'est journalisé",
}


def seeded_ids() -> set[str]:
    ids = {expected for table in TABLES for _name, expected, _defect in table}
    return ids | {expected for _defect, _action, expected in test_acceptance.ACCEPTANCE}


def test_every_checked_requirement_has_a_seeded_defect() -> None:
    catalogue = load_catalogue()
    checked = {i for i in default_registry().cited_requirements() if catalogue.get(i) is not None}
    missing = sorted(checked - seeded_ids() - set(NO_DEFECT))
    assert missing == [], f"exigences vérifiées sans défaut injecté : {missing}"


def test_the_suite_is_large_enough_and_names_are_unique() -> None:
    names = [(index, name) for index, table in enumerate(TABLES) for name, _expected, _defect in table]
    assert len(names) >= 150
    assert len(set(names)) == len(names)  # unique within a service (they are the test ids)
