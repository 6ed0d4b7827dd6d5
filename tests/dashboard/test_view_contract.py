"""The contract checker the services' view tests rely on: it accepts what the page is tested with
(the fake providers) and names what is missing or mistyped."""

from __future__ import annotations

import copy

from tests.dashboard.providers import ESTABLISHMENTS, MAILBOXES, PATIENTS, PERSONS
from tests.dashboard.view_contract import contract_problems


def test_the_documents_the_page_is_tested_with_conform() -> None:
    assert contract_problems("persons", {"persons": PERSONS}) == []
    assert contract_problems("patients", PATIENTS) == []
    assert contract_problems("mailboxes", MAILBOXES) == []
    assert contract_problems("establishments", ESTABLISHMENTS) == []


def test_missing_and_mistyped_fields_are_named() -> None:
    person = dict(PERSONS[0])
    del person["status"]
    person["ins"] = 211049300812345
    assert contract_problems("persons", {"persons": [person]}) == [
        "$.persons[0].ins: str attendu, obtenu 211049300812345", "$.persons[0].status: champ absent"]
    boxes = copy.deepcopy(MAILBOXES)
    boxes["mailboxes"][0]["messages"][0]["to"] = "crip93@departement93.mssante.fr"
    boxes["mailboxes"][0]["messages"][0]["attachments"][0]["size"] = True
    assert contract_problems("mailboxes", boxes) == [
        "$.mailboxes[0].messages[0].to: liste attendue, obtenu str",
        "$.mailboxes[0].messages[0].attachments[0].size: int attendu, obtenu True"]
    places = copy.deepcopy(ESTABLISHMENTS)
    places["establishments"][0]["latitude"] = float("nan")
    assert any("JSON strict" in p for p in contract_problems("establishments", places))
    assert contract_problems("establishments", {"etablissements": []}) == ["$.establishments: champ absent"]


def test_dmp_visibility_is_a_map_of_booleans_and_minor_a_boolean() -> None:
    patients = copy.deepcopy(PATIENTS)
    patients["patients"][0]["minor"] = 1
    patients["patients"][0]["documents"][0]["visible_to"]["parent"] = "oui"
    del patients["patients"][0]["documents"][1]["confidentiality"]
    assert contract_problems("patients", patients) == [
        "$.patients[0].minor: bool attendu, obtenu 1",
        "$.patients[0].documents[0].visible_to.parent: bool attendu, obtenu 'oui'",
        "$.patients[0].documents[1].confidentiality: champ absent"]
    patients["patients"][0]["documents"][0]["visible_to"] = [True]
    assert "$.patients[0].documents[0].visible_to: objet attendu, obtenu list" in contract_problems("patients", patients)
