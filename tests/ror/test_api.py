"""The HTTP contract over HTTPS: access control, errors as OperationOutcome, paging links, read,
metadata, `$export`, admin loading, and hostile queries."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from simulators.core.bench import Bench
from simulators.core.journal import ExchangeQuery
from simulators.core.tls import requests_cert, requests_verify
from simulators.ror.client import RorApiClient
from simulators.ror.model import FHIR_JSON, nos
from simulators.ror.seed import ig_example_resources
from simulators.ror.server import RorSimulator
from tests.conftest import make_config
from tests.ror.conftest import HEADERS, urls


def _get(client: RorApiClient, path: str, params: object = None, headers: dict | None = None) -> requests.Response:
    base_headers = {"Authorization": f"Bearer {client.access_token()}", **HEADERS}
    if headers is not None:
        base_headers = headers
    return requests.get(f"{client.fhir_base}/{path}", params=params, headers=base_headers, verify=client.verify,
                        timeout=10)


def _outcome(response: requests.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(FHIR_JSON)
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    return body["issue"][0]["diagnostics"]


def test_missing_token_and_bad_token_are_401(client: RorApiClient) -> None:
    assert "Authorization" in _outcome(_get(client, "HealthcareService", headers=dict(HEADERS)), 401)
    token = client.access_token()
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = _get(client, "HealthcareService", headers={"Authorization": f"Bearer {tampered}", **HEADERS})
    assert "signature" in _outcome(response, 401)
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_missing_ror_header_is_the_configured_status(client: RorApiClient) -> None:
    headers = {"Authorization": f"Bearer {client.access_token()}", **HEADERS}
    del headers["Ror-Role-Metier-Code"]
    assert "Ror-Role-Metier-Code" in _outcome(_get(client, "Organization", headers=headers), 403)


def test_expired_token_is_401(tmp_path: Path, pki) -> None:
    config = make_config(tmp_path, tls=True, services={"ror": {"token_ttl_s": 3}})
    with Bench(config, [RorSimulator()], pki=pki) as bench:
        _, base, token_url = urls(bench, "expiry")
        client = RorApiClient(base, token_url, client_id="bench-profil-0", client_secret="secret-profil-0",
                              verify=requests_verify(pki))
        assert _get(client, "Organization", {"_count": "1"}).status_code == 200
        expires_at = json.loads(_b64(client._token.split(".")[1]))["exp"]
        time.sleep(max(0.0, expires_at - time.time()) + 0.3)
        stale = {"Authorization": f"Bearer {client._token}", **HEADERS}
        assert "expiré" in _outcome(_get(client, "Organization", headers=stale), 401)


def test_token_endpoint_rules(ror_bench: Bench, pki) -> None:
    _, _, token_url = urls(ror_bench, "default")
    verify = requests_verify(pki)
    wrong = requests.post(token_url, data={"grant_type": "client_credentials", "client_id": "bench-profil-0",
                                           "client_secret": "nope"}, verify=verify, timeout=10)
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    secret_for_mtls = requests.post(token_url, data={"grant_type": "client_credentials", "client_id": "bench-profil-3",
                                                     "client_secret": "x"}, cert=requests_cert(pki, "org-auth-cli"),
                                    verify=verify, timeout=10)
    assert secret_for_mtls.status_code == 400
    no_cert = requests.post(token_url, data={"grant_type": "client_credentials", "client_id": "bench-profil-3"},
                            verify=verify, timeout=10)
    assert no_cert.status_code == 401 and "certificat" in no_cert.json()["error_description"]
    bound = requests.post(token_url, data={"grant_type": "client_credentials", "client_id": "bench-profil-3"},
                          cert=requests_cert(pki, "org-auth-cli"), verify=verify, timeout=10)
    assert bound.status_code == 200
    claims = json.loads(_b64(bound.json()["access_token"].split(".")[1]))
    assert claims["profil_acces"] == 3 and "x5t#S256" in claims["cnf"] and claims["exp"] > time.time()


def _b64(text: str) -> bytes:
    import base64
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_paging_links_keep_the_session_prefix(client: RorApiClient, session_name: str) -> None:
    first = _get(client, "HealthcareService", {"_count": "7"}).json()
    links = {link["relation"]: link["url"] for link in first["link"]}
    assert f"/s/{session_name}/ws-diffusion-fhir?_getpages=" in links["next"]
    assert len(first["entry"]) == 7 and first["total"] > 14
    second = requests.get(links["next"], headers={"Authorization": f"Bearer {client.access_token()}", **HEADERS},
                          verify=client.verify, timeout=10).json()
    assert {link["relation"] for link in second["link"]} >= {"self", "next", "previous"}
    everything = client.search("HealthcareService", [("_count", "7")])
    ids = [r["id"] for r in everything.matches]
    assert len(ids) == len(set(ids)) == everything.total and everything.pages > 3


def test_read_metadata_and_not_found(client: RorApiClient) -> None:
    assert client.read("Organization", "camsp-bondy")["name"] == "CAMSP de Bondy"
    assert client.metadata()["fhirVersion"] == "4.0.1"
    assert _get(client, "Organization/camsp-bondy").headers["Last-Modified"].endswith("GMT")
    _outcome(_get(client, "Organization/nope"), 404)
    _outcome(_get(client, "HealthcareService/cmpp-pantin-offre-1"), 404)  # sensitive unit, profile 0
    _outcome(_get(client, "Patient"), 404)
    # HAPI 6.x ignores an unknown `_`-prefixed parameter (the typo includes nothing) ...
    typo = _get(client, "HealthcareService", {"__include": "HealthcareService:organization", "_count": "3"}).json()
    assert typo["resourceType"] == "Bundle" and {e["search"]["mode"] for e in typo["entry"]} == {"match"}
    self_link = next(link["url"] for link in typo["link"] if link["relation"] == "self")
    assert "__include" not in self_link and "_count=3" in self_link  # the self link says what was used
    # ... refuses an unknown parameter name (HAPI-0524), and refuses both under Prefer: handling=strict.
    assert "HAPI-0524" in _outcome(_get(client, "HealthcareService", {"nom": "x"}), 400)
    strict = {"Authorization": f"Bearer {client.access_token()}", **HEADERS, "Prefer": "handling=strict"}
    _outcome(_get(client, "HealthcareService", {"__include": "HealthcareService:organization"}, strict), 400)
    lenient = {**strict, "Prefer": "handling=lenient"}
    assert _get(client, "HealthcareService", {"nom": "x", "_count": "1"}, lenient).json()["total"] > 1


def test_post_search_equals_get(client: RorApiClient) -> None:
    token = f"{nos('TRE_R244-CategorieOrganisation')}|61"
    posted = requests.post(f"{client.fhir_base}/HealthcareService/_search", data={"service-category": token},
                           headers={"Authorization": f"Bearer {client.access_token()}", **HEADERS},
                           verify=client.verify, timeout=10)
    assert posted.json()["total"] == _get(client, "HealthcareService", {"service-category": token}).json()["total"] == 2


def test_export_with_polling(client: RorApiClient) -> None:
    region = nos("TRE_R30-RegionOM")
    kick = _get(client, "$export", {"_type": "HealthcareService", "includeAssociatedData": "_myCompleteExtract",
                                    "_typeFilter": f"HealthcareService?_tag={region}|84"})
    assert kick.status_code == 202
    poll_url = kick.headers["Content-Location"]
    headers = {"Authorization": f"Bearer {client.access_token()}", **HEADERS}
    for _ in range(50):
        poll = requests.get(poll_url, headers=headers, verify=client.verify, timeout=10)
        if poll.status_code == 200:
            break
        assert poll.status_code == 202
        time.sleep(0.05)
    manifest = poll.json()
    files = {o["type"]: o["url"] for o in manifest["output"]}
    assert {"HealthcareService", "Location", "Organization"} <= set(files)
    bundle = requests.get(files["HealthcareService"], headers=headers, verify=client.verify, timeout=10).json()
    assert bundle["type"] == "collection"
    assert all(e["resource"]["meta"]["tag"][0]["code"] == "84" for e in bundle["entry"])
    ndjson = _get(client, "$export", {"_type": "HealthcareService", "_outputFormat": "application/fhir+ndjson"})
    _outcome(ndjson, 400)


def test_ig_examples_are_served_back_unchanged(ror_bench: Bench, client: RorApiClient, session_name: str) -> None:
    examples = ig_example_resources()
    for resource in examples:
        assert client.read(resource["resourceType"], resource["id"]) == resource
    changed = dict(examples[0], name="Offre chargée par l'éditeur")
    loaded = requests.post(f"{ror_bench.admin_url}/_bench/ror/sessions/{session_name}/resources",
                           data=json.dumps({"resourceType": "Bundle", "type": "collection",
                                            "entry": [{"resource": changed}]}),
                           headers={"Content-Type": "application/fhir+json"}, timeout=10)
    assert loaded.status_code == 201
    assert client.read("HealthcareService", examples[0]["id"]) == changed


@pytest.mark.parametrize("params", [
    {"_filter": "(" * 200 + "name eq x" + ")" * 200},
    {"location.near": ",".join(["48.8|2.4|2000|km"] * 11)},
    {"name": "x" * 4000},
    {"_count": "99999999999"},
    {"_count": "9" * 40},
    {"age-range-low": "le" + "9" * 40},
    {"_content": "é" * 1000},
    {"_include:iterate": "*:*", "_revinclude:iterate": "Organization:partof"},
    {"_sort": "-_lastUpdated,name", "_elements": ",".join(["id"] * 500)},
    {f"p{i}": "1" for i in range(100)},
])
def test_hostile_parameters_are_fast_and_never_crash(ror_bench: Bench, client: RorApiClient, session_name: str,
                                                     params: dict) -> None:
    response = _get(client, "HealthcareService", params)
    assert response.status_code in (200, 400, 403)
    assert response.json()["resourceType"] in ("Bundle", "OperationOutcome")
    ror_bench.runtime.journal.flush()
    last = ror_bench.runtime.journal.query(ExchangeQuery(session=session_name, newest_first=True, limit=1))[0]
    assert last.operation == "search-HealthcareService"  # hostile input answered (server time is a benchmark figure)
