"""The step library's vocabulary: how the features' French phrases resolve to the world, and the
document kinds (what may go to the DMP)."""

from __future__ import annotations

import pytest

from conformance.drivers.base import BenchTarget
from conformance.drivers.documents import DOCUMENT_KINDS, make_document, may_feed_dmp
from features.steps.cast import Cast, CastError, document_kind, split_names, status_code
from simulators.identities.world import build_world

WORLD = build_world(20261122)


def test_roles_resolve_within_the_current_journey() -> None:
    assert Cast(WORLD, "elliot").professional("l'infirmière scolaire").id == "infirmiere-scolaire-elliot"
    assert Cast(WORLD, "elise").professional("l’infirmière scolaire").id == "infirmiere-scolaire-elise"
    assert Cast(WORLD, "fanny").establishment("la CRIP").mss_org_address == "crip@cd93.mssante.test"
    assert Cast(WORLD, "elise").person("Élise").id == "elise" and Cast(WORLD).person("Elise").id == "elise"
    with pytest.raises(CastError, match="plusieurs professionnels"):
        Cast(WORLD).professional("l'infirmière scolaire")
    with pytest.raises(CastError, match="introuvable"):
        Cast(WORLD, "fanny").professional("le boulanger")


def test_recipient_lists_read_aloud() -> None:
    assert split_names("psychologue, médecin de PMI, responsable ASE et responsable du SLS") == [
        "psychologue", "médecin de PMI", "responsable ASE", "responsable du SLS"]
    recipients = Cast(WORLD, "elise").recipients("la CRIP, le juge des enfants et Élise")
    assert [r.id for r in recipients] == ["crip-93", "juge-des-enfants", "elise"]


def test_document_kinds_and_the_dmp_rule() -> None:
    assert document_kind("le formulaire de recueil d'information préoccupante").key == "recueil-ip"
    assert document_kind("l'ordonnance").code == "57833-6"
    educational = [k.key for k in DOCUMENT_KINDS.values() if not k.dmp]
    assert {"recueil-ip", "cr-educatif", "rapport-echeance", "rapport-juge"} <= set(educational)
    assert not may_feed_dmp(make_document("rapport-echeance", "Elliot"))
    assert may_feed_dmp(make_document("projet-personnalise", "Élise"))
    pdf = make_document("ordonnance", "Élise").content
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert make_document("invitation-visio", "Elliot", mime_type="text/calendar").content.startswith(b"BEGIN:VCALENDAR")
    with pytest.raises(CastError, match="type de document inconnu"):
        document_kind("le bulletin météo")


def test_identity_status_labels() -> None:
    assert status_code("qualifiée") == "QUAL" and status_code("provisoire") == "PROV"
    with pytest.raises(CastError):
        status_code("douteuse")


def test_session_urls_carry_the_session_prefix() -> None:
    target = BenchTarget(admin_url="http://127.0.0.1:8080", session="s1", world=WORLD,
                         services={"ins": "https://localhost:8443/lps", "ror": "https://localhost:8445/ws-diffusion-fhir/"})
    assert target.session_url("ins", "/lps") == "https://localhost:8443/s/s1/lps"
    assert target.service_url("ror") == "https://localhost:8445/ws-diffusion-fhir"
    assert not target.has("dmp")


def test_relatives_are_named_through_the_person() -> None:
    cast = Cast(WORLD, "christiane")
    assert cast.person("la fille de Christiane").id == "christiane-fille"
    assert Cast(WORLD, "daniel").person("cousin de Daniel").id == "daniel-cousin"
    assert Cast(WORLD, "daniel").owner("cousin de Daniel").id == "daniel"
    assert [p.id for p in Cast(WORLD, "lucas").relatives("les parents de Lucas")] == ["lucas-mere", "lucas-pere"]
    assert Cast(WORLD).person("Monsieur Claude").id == "claude"
    with pytest.raises(CastError, match="pas de"):
        cast.person("le cousin de Christiane")


def test_document_lists_keep_labels_that_contain_et() -> None:
    from features.steps.cast import split_documents

    assert split_documents("le bilan de santé et de prévention et l'autorisation de soins et actes non usuels") == [
        "le bilan de santé et de prévention", "l'autorisation de soins et actes non usuels"]
    assert [document_kind(p).key for p in split_documents("le CR d'hospitalisation, l'ordonnance et le relevé des "
                                                          "constantes")] == ["cr-hospitalisation", "ordonnance",
                                                                             "constantes"]


def test_ror_words_are_codes_never_a_default_category() -> None:
    from features.steps.cast import ror_offer

    assert ror_offer("un EHPAD") == ("500", "") and ror_offer("une unité de vie protégée") == ("", "24")
    assert ror_offer("un CAMSP") == ("190", "") and ror_offer("un DIME") == ("183", "")
    with pytest.raises(CastError, match="inconnue"):
        ror_offer("un château")


def test_mss_only_kinds_have_no_dmp_code_and_photos_are_jpeg() -> None:
    for key in ("arret-travail", "bon-transport", "photo-plaie", "notification-mdph", "lettre-admission"):
        kind = DOCUMENT_KINDS[key]
        assert not kind.dmp and not kind.type_code and "seulement" in kind.where
    assert make_document("photo-plaie", "Irène").mime_type == "image/jpeg"
    assert DOCUMENT_KINDS["dlu"].code == "74207-2" and DOCUMENT_KINDS["cr-hospitalisation"].dmp
