"""The commune table: prefectures of every département, plausible coordinates, distances."""

from __future__ import annotations

import pytest

from simulators.identities import communes as cm


def test_one_prefecture_per_departement() -> None:
    prefectures = cm.prefectures()
    departments = [c.department for c in prefectures]
    assert len(prefectures) == 101 and len(set(departments)) == 101
    metropole = {f"{i:02d}" for i in range(1, 96) if i != 20} | {"2A", "2B"}
    assert metropole | {"971", "972", "973", "974", "976"} == set(departments)
    assert cm.prefecture_of("93").name == "Bobigny"
    assert cm.prefecture_of("2B").code == "2B033"


def test_codes_and_coordinates_are_plausible() -> None:
    codes = [c.code for c in cm.all_communes()]
    assert len(codes) == len(set(codes))
    for commune in cm.all_communes():
        assert len(commune.code) == 5 and len(commune.postal_code) == 5
        assert cm.department_of(commune.code) == commune.department
        if len(commune.department) == 2:  # metropolitan France bounding box
            assert 41.3 <= commune.latitude <= 51.1 and -5.2 <= commune.longitude <= 9.6, commune
            corsica = commune.department in ("2A", "2B")
            assert commune.postal_code[:2] == ("20" if corsica else commune.department)


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [("75056", "13055", 640, 680), ("93048", "93064", 1, 4), ("63113", "75056", 340, 360),
     ("2A004", "2B033", 80, 120)],
)
def test_distances(a: str, b: str, low: float, high: float) -> None:
    assert low <= cm.distance_km(a, b) <= high


def test_near_and_helpers() -> None:
    near = [c.code for c in cm.communes_near("93048", 6)]
    assert near[0] == "93048" and "93064" in near and "13055" not in near
    assert cm.find_commune("00000") is None
    assert cm.is_born_abroad("99350") and not cm.is_born_abroad("93048")
    assert cm.COUNTRIES["99109"] == "Allemagne"
    assert {c.department for c in cm.communes_of("93")} == {"93"}
