"""FINESS, RPPS, ADELI, SIRET check digits and the prefixed national ids."""

from __future__ import annotations

import random

import pytest
from stdnum import luhn

from simulators.identities import identifiers as ids


def test_luhn_digit_reference_values() -> None:
    assert ids.luhn_digit("7992739871") == "3"  # textbook example
    assert ids.luhn_ok("79927398713")
    assert not ids.luhn_ok("79927398710")
    assert not ids.luhn_ok("7992739871X")


@pytest.mark.parametrize("finess", ["060016219", "590064036", "580008803"])
def test_real_finess_numbers_pass(finess: str) -> None:
    assert ids.is_valid_finess(finess)
    assert ids.finess_with_key(finess[:8]) == finess


def test_finess_errors_are_explained() -> None:
    assert "clé de Luhn incorrecte (attendue 9)" in (ids.explain_finess("060016210") or "")
    assert "9 caractères" in (ids.explain_finess("06001621") or "")
    assert "département" in (ids.explain_finess("2C0001234") or "")


def test_generated_finess_follow_department() -> None:
    rng = random.Random(1)
    for department in ("93", "63", "2A", "2B", "971", "01"):
        for _ in range(50):
            value = ids.random_finess(rng, department)
            assert value.startswith(department[:2]) and len(value) == 9
            assert ids.is_valid_finess(value)
            if department == "971":
                assert value[:3] == "971"


def test_rpps_luhn() -> None:
    rng = random.Random(2)
    for _ in range(200):
        rpps = ids.random_rpps(rng)
        assert ids.is_valid_rpps(rpps) and luhn.is_valid(rpps)
        wrong = rpps[:10] + str((int(rpps[10]) + 1) % 10)
        assert "clé de Luhn incorrecte" in (ids.explain_rpps(wrong) or "")
    assert ids.explain_rpps("1234") is not None


def test_adeli_siren_siret() -> None:
    rng = random.Random(3)
    adeli = ids.random_adeli(rng, "93", "93")
    assert ids.is_valid_adeli(adeli) and adeli.startswith("9393")
    assert not ids.is_valid_adeli("12345678A")
    siren = ids.random_siren(rng)
    assert ids.is_valid_siren(siren)
    siret = ids.random_siret(rng, siren)
    assert siret.startswith(siren) and ids.is_valid_siret(siret)
    assert ids.is_valid_siret("73282932000074")  # INSEE documentation example


def test_national_id_prefixes() -> None:
    assert ids.idnps("RPPS", "10003461033") == "810003461033"
    assert ids.idnps("ADELI", "931234567") == "0931234567"
    assert ids.idnst("FINESS", "580008803") == "1580008803"
    assert ids.idnst("SIRET", "92131725800020") == "392131725800020"
    assert ids.idnst("SIREN", "921317258") == "2921317258"
    assert ids.parse_idnps("810003461033") == ("RPPS", "10003461033")
    assert ids.parse_idnst("1060016219") == ("FINESS", "060016219")
    with pytest.raises(ValueError):
        ids.parse_idnps("7123")
