"""INS helpers (OIDs, CX form, usability) and MSSanté address building."""

from __future__ import annotations

from simulators.identities.ins import (
    OID_INS_NIA, OID_INS_NIR, OID_INS_NIR_DEMO, OID_INS_NIR_TEST, InsMatricule, explain_ins, ins_cx,
    patient_mss_address,
)
from simulators.identities.mssante import (
    JUDICIARY_DOMAIN, fixed_domains, person_address, slug, structure_domain,
)


def test_ins_matricule_and_cx() -> None:
    ins = InsMatricule("2360663220836", "56", OID_INS_NIR)
    assert ins.value == "236066322083656" and ins.key_valid and not ins.is_nia
    assert ins_cx(ins.value, ins.oid) == "236066322083656^^^&1.2.250.1.213.1.4.8&ISO^NH"
    assert patient_mss_address(ins.value) == "236066322083656@patient.mssante.fr"
    assert InsMatricule("1090763220888", "35", OID_INS_NIA).is_nia
    assert not InsMatricule("1810363220456", "60", OID_INS_NIR).key_valid


def test_explain_ins() -> None:
    assert explain_ins("236066322083656", OID_INS_NIR) is None
    assert explain_ins("236066322083656", OID_INS_NIR_TEST) is None
    demo = explain_ins("236066322083656", OID_INS_NIR_DEMO, production=True) or ""
    assert "interdit en production" in demo
    assert "OID" in (explain_ins("236066322083656", "1.2.250.1.213.1.4.5") or "")
    reason = explain_ins("181036322045660", OID_INS_NIR) or ""
    assert "clé incorrecte" in reason and "ne doit pas être utilisé" in reason


def test_mss_addresses() -> None:
    assert slug("Hélène D'Almeida") == "helene-dalmeida"
    assert person_address("Anne-Sophie", "Vidal", "horizon-enfance.mssante.test") == (
        "annesophie.vidal@horizon-enfance.mssante.test")
    assert structure_domain("CRIP 93") == "crip-93.mssante.test"
    outside = {d.name for d in fixed_domains() if not d.in_trust_space}
    assert JUDICIARY_DOMAIN in outside and "patient.mssante.fr" not in outside
