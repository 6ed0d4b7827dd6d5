"""NIR/NIA keys: every matricule of insi.md §5, the two known bad keys, Corsica, abroad, lunar dates."""

from __future__ import annotations

import random

import pytest
from stdnum.fr import nir as stdnum_nir

from simulators.identities.nir import (
    explain_nir, generate_nir, is_valid_nir, nir_key, split_nir, with_key,
)

# (matricule without key, key as published in insi.md §5)
SECTION5_KEYS = [
    ("297022A020778", "78"),  # ADRTROIS DOMINIQUE, Corse-du-Sud
    ("160012B020777", "13"),  # ADRTROIS TOUSSAINT, Haute-Corse
    ("2360663220836", "56"),  # TCHITCHI CATARINA
    ("1090763220834", "89"),  # ECETINSI PIERRE-ALAIN
    ("2090763220834", "39"),  # ECETINSI, INSHISTO
    ("2751263220749", "74"),  # ADRUN ZOE
    ("1100863220830", "60"),  # NESSI MICHELANGELO
    ("1090763220888", "35"),  # PROVISOIRE MATRICULE (NIA)
    ("180032B020401", "23"),  # CORSE ANTHONY
]


@pytest.mark.parametrize(("nir13", "key"), SECTION5_KEYS)
def test_section5_keys(nir13: str, key: str) -> None:
    assert nir_key(nir13) == key
    assert is_valid_nir(nir13 + key)
    assert stdnum_nir.is_valid(nir13 + key)  # independent implementation agrees


@pytest.mark.parametrize(
    ("nir13", "published", "correct"),
    [
        ("1810363220456", "60", "76"),  # HERMANN GATIEN, CNDA TEST_2.08_cas2
        ("2810363220456", "10", "26"),  # HERMANN, second INSHISTO
        ("1810163220751", "42", "40"),  # Dart parser test sample
    ],
)
def test_known_bad_keys(nir13: str, published: str, correct: str) -> None:
    assert nir_key(nir13) == correct
    assert not is_valid_nir(nir13 + published)
    assert explain_nir(nir13 + published) == f"clé incorrecte : attendue {correct}, reçue {published}"


def test_corsica_letters_are_read_as_19_and_18() -> None:
    assert nir_key("297022A020778") == f"{97 - int('2970219020778') % 97:02d}"
    assert nir_key("160012B020777") == f"{97 - int('1600118020777') % 97:02d}"
    # The same digits with 2A and 2B give different keys.
    assert nir_key("180032A020401") != nir_key("180032B020401")


def test_generate_from_traits() -> None:
    assert generate_nir("F", "1997-02-26", "2A020", 778) == "297022A020778"
    assert generate_nir("M", "1960-01-01", "2B020", 777) == "160012B020777"
    assert generate_nir("M", "2009-07-14", "63220", 834) == "1090763220834"


def test_born_abroad_and_overseas() -> None:
    abroad = generate_nir("M", "1975-04-12", "99350", 12)  # Morocco
    assert abroad == "1750499350012"
    assert split_nir(abroad).born_abroad and split_nir(abroad).place == "99350"
    assert is_valid_nir(with_key(abroad))
    overseas = generate_nir("F", "2001-11-30", "97209", 5)  # Fort-de-France
    assert overseas == "2011197209005"
    assert is_valid_nir(with_key(overseas))


def test_lunar_dates_use_unknown_month_code() -> None:
    nir13 = generate_nir("F", "1958-00-00", "99350", 87)
    assert nir13[3:5] == "20"
    assert is_valid_nir(with_key(nir13))


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("29702", "longueur incorrecte"),
        ("597022A02077878", "format incorrect"),  # no sex digit 5
        ("2970X2A0207787", "longueur"),
        ("297022C02077878", "format incorrect"),
        ("2971363220836XX", "clé non numérique"),
        ("297136322083656", "mois de naissance impossible"),
    ],
)
def test_explanations(value: str, fragment: str) -> None:
    reason = explain_nir(value)
    assert reason is not None and fragment in reason


def test_generation_agrees_with_stdnum_on_random_samples() -> None:
    rng = random.Random(42)
    places = ["75114", "2A004", "2B033", "99109", "97411", "63113"]
    for _ in range(300):
        year = rng.randrange(1900, 2026)
        date = f"{year}-{rng.randrange(0, 13):02d}-01"
        nir15 = with_key(generate_nir(rng.choice("MF"), date, rng.choice(places), rng.randrange(1, 1000)))
        assert stdnum_nir.is_valid(nir15), nir15
        assert is_valid_nir(nir15)


def test_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError):
        generate_nir("X", "2000-01-01", "75114", 1)
    with pytest.raises(ValueError):
        generate_nir("M", "2000-01-01", "75114", 1000)
    with pytest.raises(ValueError):
        nir_key("12345")
