"""Acceptance journeys over HTTPS with the reference client: Elise's MECS, Lucas's CAMSP, Daniel's
protected unit — expected establishments, includes, distances."""

from __future__ import annotations

from simulators.core.bench import Bench
from simulators.identities.world import build_world
from simulators.ror.client import RorApiClient


def test_mecs_near_elise_for_a_15_year_old_with_places(ror_bench: Bench, client: RorApiClient) -> None:
    elise = build_world(ror_bench.config.seed).person("elise")
    offers = client.find_offers(establishment_category="177", age=15, near_commune=elise.address.commune_code,
                                radius_km=30, with_places=True)
    names = [o.establishment["name"] for o in offers]
    # Le Phare (6-12) is too young, La Passerelle has no free place, Les Hirondelles is 70 km away.
    assert names == ["MECS Les Tilleuls", "MECS Les Cèdres", "MECS L'Escale"]
    first = offers[0]
    assert first.distance_km is not None and 2.0 < first.distance_km < 5.0
    assert [o.distance_km for o in offers] == sorted(o.distance_km for o in offers)
    assert first.available_places == 2
    assert [org["id"] for org in first.organizations] == ["mecs-les-tilleuls", first.organizations[1]["id"]]
    assert first.organizations[1]["name"] == "Association Horizon Enfance"  # EJ via _include:iterate
    assert {p["name"][0]["family"] for p in first.practitioners} == {"FOURNIER"}
    assert "category" not in first.service  # the ROR has no MECS offer type


def test_camsp_near_lucas(ror_bench: Bench, client: RorApiClient) -> None:
    lucas = build_world(ror_bench.config.seed).person("lucas")
    offers = client.find_offers(offer_type="61", age=3, near_commune=lucas.address.commune_code, radius_km=15)
    assert [o.establishment["id"] for o in offers] == ["camsp-bondy", "camsp-saint-denis"]
    assert offers[0].distance_km < offers[1].distance_km
    with_places = client.find_offers(offer_type="61", age=3, near_commune=lucas.address.commune_code,
                                     radius_km=15, with_places=True)
    assert [o.establishment["id"] for o in with_places] == ["camsp-bondy"]
    assert with_places[0].available_places == 3
    assert with_places[0].practitioners and with_places[0].practitioners[0]["name"][0]["family"] == "NOËL"


def test_ehpad_with_protected_unit_near_daniel(ror_bench: Bench, client: RorApiClient) -> None:
    daniel = build_world(ror_bench.config.seed).person("daniel")
    offers = client.find_offers(offer_type="24", age=82, near=(daniel.address.latitude, daniel.address.longitude),
                                radius_km=25, with_places=True)
    assert [o.establishment["id"] for o in offers] == ["ehpad-les-volcans"]
    view = offers[0]
    # The UVP is run by an internal organisation (OI) of the EG, itself part of the EJ.
    assert [o["id"] for o in view.organizations][:2] == ["ehpad-les-volcans-uvp", "ehpad-les-volcans"]
    assert len(view.organizations) == 3
    assert view.available_places == 1
    assert 10 < view.distance_km < 25
    without_places = client.find_offers(offer_type="24", age=82, radius_km=25,
                                        near=(daniel.address.latitude, daniel.address.longitude))
    assert {o.establishment["id"] for o in without_places} == {"ehpad-les-volcans", "ehpad-la-roseraie"}


def test_token_is_reused_until_expiry(client: RorApiClient) -> None:
    for _ in range(3):
        client.search("Organization", [("type", "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/"
                                                "FHIR/TRE-R66-CategorieEtablissement|190")])
    assert client.tokens_obtained == 1


def test_profile_2_obtains_its_token_with_a_certificate(client_factory) -> None:  # noqa: ANN001
    client = client_factory(2)
    result = client.search("HealthcareService", [("service-category", "https://mos.esante.gouv.fr/NOS/"
                           "TRE_R244-CategorieOrganisation/FHIR/TRE-R244-CategorieOrganisation|61")])
    assert result.total == 2
    assert client.tokens_obtained == 1
