"""Access rules as pure functions: minors, legal representatives, authorisation states, masking,
the habilitation matrix and the feed rules."""

from __future__ import annotations

import time
from datetime import date

import pytest

from simulators.dmp.model import (
    INVISIBLE_PATIENT, INVISIBLE_REPS, MASQUE_PS, VISIBILITY_SYSTEM, Author, Authorization, Code, DocumentEntry,
    Dossier, LegalRepresentative,
)
from simulators.dmp.rules import PATIENT, PS, REPRESENTATIVE, AccessOptions, AccessPolicy, Actor
from simulators.dmp.valuesets import load_valuesets

TODAY = date(2026, 11, 22)
PSY = "93^1.2.250.1.213.1.6.1.109"
SOCIAL = "41^1.2.250.1.213.1.6.1.4"
ADMIN = "312^1.2.250.1.213.1.6.1.107"


@pytest.fixture
def policy() -> AccessPolicy:
    return AccessPolicy(load_valuesets(), AccessOptions(today=TODAY))


def dossier(birth: str = "2011-09-22", **kw: object) -> Dossier:
    reps = [LegalRepresentative("MTH", "elise-mere", "Nathalie"), LegalRepresentative("FTH", "elise-pere", "Bruno", False)]
    return Dossier(ins="211099304809419", oid="1.2.250.1.213.1.4.10", birth_date=birth, legal_representatives=reps, **kw)  # type: ignore[arg-type]


def actor(kind: str = PS, profession: str = PSY, *, subject: str = "x", mode: str = "normal", structure: str = "1111",
          secret: bool = False) -> Actor:
    return Actor(kind, structure, subject, profession, "SA20", mode, "INDIRECTE", secret)


def entry(type_code: str = "80788-3", *flags: str, author_structure: str = "9999") -> DocumentEntry:
    conf = [Code("N", "2.16.840.1.113883.5.25")] + [Code(f, VISIBILITY_SYSTEM) for f in flags]
    return DocumentEntry("urn:uuid:1", unique_id="1.2", type_code=Code(type_code, "2.16.840.1.113883.6.1"),
                         confidentiality=conf, authors=[Author(institutions=[f"X^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^{author_structure}"])])


def valid_auth() -> Authorization:
    return Authorization("211099304809419", "1111", "VALIDE", time.time(), time.time() + 3600)


def test_minor_from_birth_date_and_majority_age(policy) -> None:
    assert policy.is_minor(dossier("2011-09-22")) and not policy.is_minor(dossier("2008-11-21"))
    assert policy.is_minor(dossier("2008-11-23"))
    older = AccessPolicy(load_valuesets(), AccessOptions(today=TODAY, age_majority=15))
    assert not older.is_minor(dossier("2011-09-22"))


def test_authorization_states(policy) -> None:
    d = dossier()
    assert policy.can_consult(d, None, actor()).status == "NON_EXISTE"
    expired = Authorization("i", "1111", "VALIDE", 0, time.time() - 1)
    assert not policy.can_consult(d, expired, actor()).allowed
    assert policy.can_consult(d, expired, actor()).status == "EXPIRE"
    assert policy.can_consult(d, valid_auth(), actor()).allowed
    d.blocked.append("1111")
    assert policy.can_consult(d, valid_auth(), actor()).status == "INTERDIT"


def test_emergency_modes_and_oppositions(policy) -> None:
    assert policy.can_consult(dossier(), None, actor(mode="bris_de_glace")).allowed
    assert not policy.can_consult(dossier(opposition_break_glass=True), None, actor(mode="bris_de_glace")).allowed
    assert not policy.can_consult(dossier(), None, actor(mode="centre_15")).allowed  # not a doctor
    doctor = actor(profession="10^1.2.250.1.71.1.2.7", mode="centre_15")
    assert policy.can_consult(dossier(), None, doctor).allowed
    assert not policy.can_consult(dossier(opposition_emergency=True), None, doctor).allowed
    closed = dossier(state="FERME")
    assert policy.can_consult(closed, valid_auth(), actor()).key == "dmp_closed"


def test_legal_representatives_only_with_authority_and_for_minors(policy) -> None:
    assert policy.can_consult(dossier(), None, actor(REPRESENTATIVE, subject="elise-mere")).allowed
    assert not policy.can_consult(dossier(), None, actor(REPRESENTATIVE, subject="elise-pere")).allowed
    assert not policy.can_consult(dossier("2000-01-01"), None, actor(REPRESENTATIVE, subject="elise-mere")).allowed
    ase = Dossier("i", "o", birth_date="2014-10-05", legal_representatives=[LegalRepresentative("RESPRSN", "338678313804501", "ASE")])
    assert policy.can_consult(ase, None, actor(REPRESENTATIVE, subject="referente", structure="338678313804501")).allowed


def test_visibility_by_viewer(policy) -> None:
    d, auth = dossier(), valid_auth()
    rep, patient = actor(REPRESENTATIVE, subject="elise-mere"), actor(PATIENT)
    assert not policy.visible(entry("80788-3", INVISIBLE_REPS), d, None, rep)[0]
    assert policy.visible(entry("80788-3", INVISIBLE_REPS), d, None, patient)[0]
    assert not policy.visible(entry("80788-3", INVISIBLE_PATIENT), d, None, patient)[0]
    assert not policy.visible(entry("80788-3", MASQUE_PS), d, auth, actor())[0]
    auth.treating_physician = True
    assert policy.visible(entry("80788-3", MASQUE_PS), d, auth, actor())[0]
    assert policy.visible(entry("80788-3", MASQUE_PS, author_structure="1111"), d, None, actor())[0]


@pytest.mark.parametrize("profession, type_code, seen", [
    (SOCIAL, "34842-5", True), (SOCIAL, "AUTORIS-SOINS", True), (SOCIAL, "83901-9", False), (SOCIAL, "68599-0", False),
    (SOCIAL, "57833-6", False), (PSY, "83901-9", True), (PSY, "47420-5", True), (PSY, "57833-6", False),
    ("51^1.2.250.1.213.1.6.1.4", "47420-5", True), ("51^1.2.250.1.213.1.6.1.4", "83901-9", False),
    (ADMIN, "AUTORIS-SOINS", True), (ADMIN, "80788-3", False), ("21^1.2.250.1.71.1.2.7", "57833-6", True),
    ("10^1.2.250.1.71.1.2.7", "68599-0", True), ("60^1.2.250.1.71.1.2.7", "68817-6", True),
])
def test_habilitation_matrix(policy, profession: str, type_code: str, seen: bool) -> None:
    assert policy.visible(entry(type_code), dossier(), valid_auth(), actor(profession=profession))[0] is seen


def test_feed_rules(policy) -> None:
    ps = actor()
    assert policy.check_feed(dossier(), [entry()], ps).allowed
    assert policy.check_feed(dossier(), [entry("80788-3", MASQUE_PS, INVISIBLE_PATIENT)], ps).key == "visibility_cumul"
    secret = actor(secret=True)
    assert policy.check_feed(dossier(), [entry()], secret).key == "secret_connection"
    assert policy.check_feed(dossier(), [entry("80788-3", INVISIBLE_REPS)], secret).allowed
    assert policy.check_feed(dossier("1990-01-01"), [entry("80788-3", INVISIBLE_REPS)], secret).key == "secret_connection"
    assert policy.check_feed(None, [entry()], ps).key == "unknown_patient"
    allowed = AccessPolicy(load_valuesets(), AccessOptions(today=TODAY, cumul_invisible_patient_masque_ps=True))
    assert allowed.check_feed(dossier(), [entry("80788-3", MASQUE_PS, INVISIBLE_PATIENT)], ps).allowed


def test_never_to_dmp_documents() -> None:
    vs = load_valuesets()
    assert vs.is_never_dmp("EXPORT_DUI", "")
    assert vs.is_never_dmp("28653-4", "Projet pour l'enfant (PPE)")
    assert vs.is_never_dmp("28653-4", "Contrat de séjour")
    assert not vs.is_never_dmp("FICHE-CONTACTS", "Fiche contacts d'urgence")
    assert not vs.is_never_dmp("80788-3", "Projet personnalisé d'accompagnement")
