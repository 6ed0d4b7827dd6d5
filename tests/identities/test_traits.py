"""Trait normalisation as INSi expects it: accents, apostrophes, hyphens, case, ligatures."""

from __future__ import annotations

import pytest

from simulators.identities.traits import (
    TRAIT_PATTERN, explain_birth_date, explain_sex, explain_trait, first_given_name, is_valid_trait,
    liste_prenom, normalise_birth_name, normalise_given_names, normalise_trait,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Élise", "ELISE"),
        ("françois", "FRANCOIS"),
        ("Noël", "NOEL"),
        ("d’Almeida-Roche", "D'ALMEIDA-ROCHE"),  # typographic apostrophe
        ("D‘ARTAGNAN de l’Hérault", "D'ARTAGNAN DE L'HERAULT"),
        ("de  vinci ", "DE VINCI"),  # double and trailing spaces
        ("Jean – Pierre", "JEAN-PIERRE"),  # en dash with spaces around
        ("PATB--QUATRE", "PATB--QUATRE"),  # legacy double hyphen kept
        ("Patb---Quatre", "PATB--QUATRE"),
        ("Cœur", "COEUR"),
        ("Lætitia", "LAETITIA"),
        ("Strauß", "STRAUSS"),
        ("Ødegård", "ODEGARD"),
        ("O'Neil", "O'NEIL"),
        ("-Marie-", "MARIE"),
        ("St. Pierre", "ST PIERRE"),
        ("Müller", "MULLER"),
        ("ÇA", "CA"),
    ],
)
def test_normalise_trait(raw: str, expected: str) -> None:
    assert normalise_trait(raw) == expected
    assert TRAIT_PATTERN.match(expected)


def test_birth_name_and_given_names() -> None:
    assert normalise_birth_name("Bensaïd") == "BENSAID"
    assert normalise_given_names("Pierre-Alain  Muriel, Floriant") == ("PIERRE-ALAIN", "MURIEL", "FLORIANT")
    assert normalise_given_names(["Élise", "Margaux"]) == ("ELISE", "MARGAUX")
    assert liste_prenom(["catarina", "bella"]) == "CATARINA BELLA"
    assert first_given_name("Pierre-Alain Muriel") == "PIERRE-ALAIN"
    assert first_given_name([]) == ""


def test_validation_and_french_explanations() -> None:
    assert is_valid_trait("D'ARTAGNAN DE L'HERAULT")
    assert is_valid_trait("PATB--QUATRE")
    assert not is_valid_trait("PATB---QUATRE")
    assert not is_valid_trait("Élise")
    assert explain_trait("ELISE", "prénom") is None
    assert "majuscules attendues" in (explain_trait("Elise", "prénom") or "")
    message = explain_trait("ÉLISE", "prénom") or ""
    assert "caractères non autorisés" in message and "'ELISE'" in message
    assert "séparateurs mal placés" in (explain_trait("DE  VINCI") or "")
    assert explain_trait("") == "trait vide"


def test_sex_and_lunar_dates() -> None:
    assert explain_sex("M") is None and explain_sex("F") is None
    assert explain_sex("") is not None and explain_sex("I") is not None
    assert explain_birth_date("1958-00-00") is None
    assert explain_birth_date("1962-03-00") is None
    assert explain_birth_date("1962-00-12") is not None
    assert explain_birth_date("1962-13-01") is not None
    assert explain_birth_date("14/07/2009") is not None
