"""Acceptance journeys over HTTPS with the reference client: Elise's MECS, Lucas's CAMSP, the protected
unit near Daniel's cousin — expected establishments, includes, distances."""

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


def test_ehpad_with_protected_unit_near_daniels_cousin(ror_bench: Bench, client: RorApiClient) -> None:
    world = build_world(ror_bench.config.seed)
    assert ("cousin", "daniel-cousin") in {(r.kind, r.person_id) for r in world.person("daniel").relations}
    cousin = world.person("daniel-cousin")
    assert cousin.address.commune_code == "63124"  # Cournon-d'Auvergne
    offers = client.find_offers(offer_type="24", age=82, near_commune=cousin.address.commune_code,
                                radius_km=20, with_places=True)
    # La Roseraie (in Cournon) has a full UVP; Le Clos Fleuri (Riom, ~19 km) has no UVP.
    assert [o.establishment["id"] for o in offers] == ["ehpad-les-volcans"]
    view = offers[0]
    assert view.service["name"] == "Unité de vie protégée (UVP) - EHPAD Les Volcans"
    assert "24" in {c["code"] for cat in view.service["category"] for c in cat["coding"]}
    # The UVP is run by an internal organisation (OI) of the EG, itself part of the EJ.
    assert [o["id"] for o in view.organizations][:2] == ["ehpad-les-volcans-uvp", "ehpad-les-volcans"]
    assert len(view.organizations) == 3
    assert view.organizations[2]["name"] == "Groupe Les Volcans Accueil"  # EJ via _include:iterate
    assert view.available_places == 1
    assert 9 < view.distance_km < 13  # Chamalières, about 11 km from Cournon
    near_home = (cousin.address.latitude, cousin.address.longitude)
    without_places = client.find_offers(offer_type="24", age=82, radius_km=20, near=near_home)
    assert [o.establishment["id"] for o in without_places] == ["ehpad-la-roseraie", "ehpad-les-volcans"]
    assert without_places[0].available_places == 0 and without_places[0].distance_km < 2
    permanent = client.find_offers(offer_type="21", age=82, near_commune=cousin.address.commune_code,
                                   radius_km=20, with_places=True)
    assert [o.establishment["id"] for o in permanent] == ["ehpad-le-clos-fleuri"]
    assert 17 < permanent[0].distance_km < 20


def test_token_is_reused_until_expiry(client: RorApiClient) -> None:
    for _ in range(3):
        client.search("Organization", [("type", "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/"
                                                "FHIR/TRE-R66-CategorieEtablissement|190")])
    assert client.tokens_obtained == 1


def test_profile_2_obtains_its_token_with_a_certificate(client_factory) -> None:
    client = client_factory(2)
    result = client.search("HealthcareService", [("service-category", "https://mos.esante.gouv.fr/NOS/"
                           "TRE_R244-CategorieOrganisation/FHIR/TRE-R244-CategorieOrganisation|61")])
    assert result.total == 2
    assert client.tokens_obtained == 1
