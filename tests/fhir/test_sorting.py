"""`simulators.fhir.sorting`: FHIR `_sort` over in-memory results (used by the Annuaire Santé)."""

from __future__ import annotations

from simulators.fhir.sorting import sort_results

ROWS = [{"id": "a", "name": "Zoé", "city": "Lyon"}, {"id": "b", "city": "Brest"},
        {"id": "c", "name": "Anne", "city": "Lyon"}, {"id": "d", "name": "Marc", "city": "Brest"}]


def by(field: str):
    return lambda row: row.get(field)


def ids(rows: list[dict]) -> list[str]:
    return [r["id"] for r in rows]


def test_results_without_a_value_come_last_in_either_direction() -> None:
    assert ids(sort_results(ROWS, [(by("name"), False)])) == ["c", "d", "a", "b"]
    assert ids(sort_results(ROWS, [(by("name"), True)])) == ["a", "d", "c", "b"]


def test_first_key_is_primary_and_ties_keep_the_next_keys_order() -> None:
    assert ids(sort_results(ROWS, [(by("city"), False), (by("name"), True)])) == ["d", "b", "a", "c"]
    assert ids(sort_results(ROWS, [(by("city"), True), (by("id"), False)])) == ["a", "c", "b", "d"]


def test_no_key_keeps_the_order() -> None:
    assert ids(sort_results(ROWS, [])) == ["a", "b", "c", "d"]
