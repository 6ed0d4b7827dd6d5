"""Configuration, seed options, admin API and the token issuer on their own."""

from __future__ import annotations

import pytest
import requests

from simulators.core.bench import Bench
from simulators.ror.auth import OAuthError, TokenInvalid, TokenIssuer, TokenRequest, authenticate
from simulators.ror.client import RorApiClient, RorClientError
from simulators.ror.engine import RorOptions
from simulators.ror.model import PROFILES, REGION, default_clients
from simulators.ror.seed import seed_resources


def test_options_from_config() -> None:
    options = RorOptions.from_config({"base": "fhir/", "header_status": 400, "capacity_semantics": "same-entry",
                                      "clients": {"editeur-x": {"profile": 3, "cert_cn": "DUI-X"}}})
    assert options.base == "/fhir" and options.header_status == 400 and options.capacity_same_entry
    assert options.clients["editeur-x"].profile == 3 and options.clients["editeur-x"].uses_certificate
    with pytest.raises(ValueError):
        RorOptions.from_config({"header_status": 500})


def test_seed_is_profiled_tagged_and_mecs_follows_the_flag() -> None:
    offers = seed_resources(mecs="offers")
    for resource in offers:
        if resource["id"] in ("1234564", "ror-location-exemple-1") or resource["id"].startswith("ror-organi"):
            continue  # IG examples, served verbatim
        meta = resource["meta"]
        assert meta["profile"] == [PROFILES[resource["resourceType"]]] and meta["lastUpdated"]
        assert meta["tag"][0]["system"] == REGION
    mecs_offers = [r for r in offers if r["id"].startswith("mecs-") and r["resourceType"] == "HealthcareService"]
    assert len(mecs_offers) == 6 and all("category" not in r for r in mecs_offers)
    organizations_only = seed_resources(mecs="organizations")
    assert not [r for r in organizations_only if r["id"].startswith("mecs-") and r["resourceType"] != "Organization"]
    assert len([r for r in organizations_only if r["id"].startswith("mecs-")]) == 6
    assert not [r for r in seed_resources(mecs="absent") if r["id"].startswith(("mecs-", "aemo-"))]
    assert not [r for r in seed_resources(ig_examples=False) if r["id"] == "1234564"]


def test_token_issuer_signs_and_expires() -> None:
    now = [1_000_000.0]
    issuer = TokenIssuer("iss", ttl_s=60, clock=lambda: now[0])
    client = default_clients()["bench-profil-0"]
    token = issuer.issue(client)["access_token"]
    assert issuer.verify(token).profile == 0
    with pytest.raises(TokenInvalid):
        TokenIssuer("iss").verify(token)  # another key
    now[0] += 61
    with pytest.raises(TokenInvalid, match="expiré"):
        issuer.verify(token)


def test_token_verification_is_kept_per_token_and_still_expires() -> None:
    now = [1_000_000.0]
    issuer = TokenIssuer("iss", ttl_s=60, clock=lambda: now[0])
    token = issuer.issue(default_clients()["bench-profil-2"], thumbprint="abc", session="s1")["access_token"]
    first = issuer.verify(token)
    assert issuer._verified  # kept: the next call does not check the signature again
    fresh = TokenIssuer("iss", ttl_s=60, clock=lambda: now[0], key=issuer._key)
    assert issuer.verify(token) == first == fresh.verify(token)  # same answer as an unseen token
    assert (first.profile, first.session, first.bound_thumbprint) == (2, "s1", "abc")
    with pytest.raises(TokenInvalid):  # another token of the same shape is verified, not taken from the cache
        issuer.verify(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    now[0] += 59.5
    assert issuer.verify(token) == first
    now[0] += 0.5  # exp reached: refused from the cache exactly as jose.verify refuses it
    with pytest.raises(TokenInvalid, match="expiré"):
        issuer.verify(token)
    with pytest.raises(TokenInvalid, match="expiré"):
        fresh.verify(token)
    assert token not in issuer._verified


def test_authenticate_rules() -> None:
    clients = default_clients()
    form = {"grant_type": "client_credentials", "client_id": "bench-profil-4"}
    with pytest.raises(OAuthError) as refused:
        authenticate(TokenRequest(form), clients, tls=True)
    assert refused.value.status == 401
    stood_in, _ = authenticate(TokenRequest(form, stand_in_cn="DUI"), clients, tls=False)
    assert stood_in.profile == 4
    with pytest.raises(OAuthError):  # the stand-in header is ignored when TLS is on
        authenticate(TokenRequest(form, stand_in_cn="DUI"), clients, tls=True)
    with pytest.raises(OAuthError) as grant:
        authenticate(TokenRequest({**form, "grant_type": "password"}), clients, tls=False)
    assert grant.value.error == "unsupported_grant_type"


def test_admin_api(ror_bench: Bench, client: RorApiClient, session_name: str) -> None:
    admin = f"{ror_bench.admin_url}/_bench/ror"
    counts = requests.get(f"{admin}/sessions/{session_name}/counts", timeout=10).json()["counts"]
    assert counts["HealthcareService"] > 20
    bad = requests.post(f"{admin}/sessions/{session_name}/resources", json={"resourceType": "Patient", "id": "p"},
                        timeout=10)
    assert bad.status_code == 400 and bad.headers["Content-Type"] == "application/problem+json"
    assert requests.delete(f"{admin}/sessions/{session_name}/resources/Organization/camsp-bondy",
                           timeout=10).status_code == 204
    assert client.search("Organization", [("_id", "camsp-bondy")]).total == 0
    registered = requests.post(f"{admin}/clients", json={"client_id": "editeur-test", "profile": 0, "secret": "s3"},
                               timeout=10)
    assert registered.status_code == 201
    other = RorApiClient(client.fhir_base, client.token_url, client_id="editeur-test", client_secret="s3",
                         verify=client.verify)
    assert other.search("Organization", [("_count", "1")]).total > 0
    assert requests.post(f"{admin}/sessions/{session_name}/volume", json={"volume": -1}, timeout=10).status_code == 400
    codes = requests.get(f"{admin}/nomenclatures", timeout=10).json()
    assert codes["TRE_R244-CategorieOrganisation"]["concepts"]["24"].startswith("Accueil ou hébergement")


def test_profiles_shape_what_is_served(client_factory) -> None:
    profile5 = client_factory(5)
    location = profile5.read("Location", "camsp-bondy-offre-1-lieu")
    assert not [e for e in location["extension"] if "capacity" in e["url"]]
    with pytest.raises(RorClientError) as refused:
        profile5.search("HealthcareService", [("location.nb-capacity", "gt0")])
    assert refused.value.status == 403
    contacts = [e for e in client_factory(3).read("HealthcareService", "camsp-bondy-offre-1")["extension"]
                if e["url"].endswith("healthcareservice-contact")]
    assert len(contacts) == 2  # profile 3 sees restricted data of médico-social offers
    assert client_factory(1).read("HealthcareService", "cmpp-pantin-offre-1")["name"].startswith("Consultations")
    assert "name" not in client_factory(4).read("Practitioner", "pra-mecs-psychologue")
