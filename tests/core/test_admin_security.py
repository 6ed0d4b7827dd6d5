"""Who may use the admin port: token off trusted networks, Host allow-list, no cross-site writes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import requests

from simulators.core.admin_auth import AdminPolicy, body_type_refused, host_name
from simulators.core.bench import Bench
from simulators.core.config import AdminConfig
from tests.conftest import make_config
from tests.support.echo import EchoSimulator


def test_policy_trusts_loopback_only_by_default() -> None:
    policy = AdminPolicy.build(token="t" * 20)
    assert policy.trusted("127.0.0.1") and policy.trusted("127.0.0.2") and policy.trusted("::1")
    assert policy.trusted("::ffff:127.0.0.1")
    for remote in ("10.0.0.5", "192.168.1.20", "172.17.0.1", "::ffff:10.0.0.5", "fe80::1", "", "garbage"):
        assert not policy.trusted(remote), remote
    assert policy.token_ok("Bearer " + "t" * 20)
    assert not policy.token_ok("Bearer " + "t" * 19) and not policy.token_ok("Basic " + "t" * 20)
    assert not AdminPolicy.build(token="").token_ok("Bearer ")


def test_policy_host_allow_list() -> None:
    policy = AdminPolicy.build(token="x", allowed_hosts=("bench.ci.example",), bind_host="0.0.0.0",
                               public_base_url="https://bench.public.example:8443")
    for host in ("localhost:8080", "127.0.0.1", "[::1]:8080", "bench.ci.example", "BENCH.CI.EXAMPLE.:80",
                 "bench.public.example", "192.0.2.10:8080", "[2001:db8::1]:8080"):
        assert policy.host_allowed(host), host
    for host in ("evil.example", "localhost.evil.example", "", "bench.ci.example.evil", "127.0.0.1.nip.io"):
        assert not policy.host_allowed(host), host
    assert host_name("[::1]:8080") == "::1"


def test_body_types_a_browser_sends_cross_site_are_refused() -> None:
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""):
        assert body_type_refused("POST", ctype, 10), ctype
    for ctype in ("application/json", "application/json; charset=utf-8", "application/fhir+json", "application/xml"):
        assert not body_type_refused("POST", ctype, 10), ctype
    assert not body_type_refused("POST", "", 0) and not body_type_refused("GET", "text/plain", 10)


@pytest.fixture
def untrusted_bench(tmp_path: Path):
    """A bench whose admin port trusts no network: every request is "off loopback"."""
    config = make_config(tmp_path, admin=AdminConfig(trusted_networks=()))
    with Bench(config, [EchoSimulator()]) as bench:
        yield bench


def test_off_loopback_without_token_is_401(untrusted_bench: Bench, tmp_path: Path) -> None:
    url = untrusted_bench.admin_url + "/_bench/sessions"
    r = requests.get(url, timeout=5)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.headers["Content-Type"] == "application/problem+json"
    assert requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=5).status_code == 401
    token_file = tmp_path / "bench-data" / "admin-token"
    token = token_file.read_text().strip()
    assert untrusted_bench.admin_token_created == token and len(token) >= 32
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code == 200
    assert requests.get(untrusted_bench.admin_url + "/", timeout=5).status_code == 401  # dashboard too


def test_the_token_is_generated_once_and_can_be_set(tmp_path: Path) -> None:
    with Bench(make_config(tmp_path), [EchoSimulator()]) as first:
        generated = first.admin_token_created
    with Bench(make_config(tmp_path), [EchoSimulator()]) as second:
        assert generated and second.admin_token_created == ""  # printed once only
    config = make_config(tmp_path, admin=AdminConfig(token="configured-token-1234567", trusted_networks=()))
    with Bench(config, [EchoSimulator()]) as bench:
        ok = requests.get(bench.admin_url + "/_bench/sessions", headers={"Authorization": "Bearer configured-token-1234567"},
                          timeout=5)
        assert ok.status_code == 200
        assert requests.get(bench.admin_url + "/_bench/sessions", headers={"Authorization": f"Bearer {generated}"},
                            timeout=5).status_code == 401


def test_loopback_stays_open(bench: Bench) -> None:
    assert requests.get(bench.admin_url + "/_bench/health", timeout=5).status_code == 200
    assert requests.get(bench.admin_url + "/_bench/sessions", timeout=5).status_code == 200


def test_cross_site_text_plain_post_is_refused(bench: Bench) -> None:
    url = bench.admin_url + "/_bench/faults"
    body = '{"kind": "drop", "session": "*"}'
    r = requests.post(url, data=body, headers={"Content-Type": "text/plain"}, timeout=5)
    assert r.status_code == 415
    r = requests.post(url, data=body, headers={"Content-Type": "text/plain", "Origin": "http://evil.example"}, timeout=5)
    assert r.status_code == 403
    r = requests.post(url, json={"kind": "drop", "session": "*"}, headers={"Origin": "http://evil.example"}, timeout=5)
    assert r.status_code == 403
    r = requests.post(bench.admin_url + "/_bench/sessions/default/reset", headers={"Sec-Fetch-Site": "cross-site"},
                      timeout=5)
    assert r.status_code == 403
    assert requests.get(url, timeout=5).json()["rules"] == []
    same_origin = requests.post(url, json={"kind": "latency", "latency_ms": 1},
                                headers={"Origin": bench.admin_url}, timeout=5)
    assert same_origin.status_code == 201  # the dashboard's own calls


def test_foreign_host_is_refused(bench: Bench) -> None:
    port = bench.admin_url.rsplit(":", 1)[1]
    r = requests.get(f"http://127.0.0.1:{port}/_bench/sessions", headers={"Host": f"rebind.evil.example:{port}"},
                     timeout=5)
    assert r.status_code == 421 and "rebind.evil.example" in r.json()["detail"]
    assert requests.get(f"http://127.0.0.1:{port}/_bench/sessions", timeout=5).status_code == 200


def test_allowed_hosts_are_configurable(tmp_path: Path) -> None:
    config = make_config(tmp_path, admin=AdminConfig(allowed_hosts=("bench.lan",)))
    with Bench(config, [EchoSimulator()]) as bench:
        port = bench.admin_url.rsplit(":", 1)[1]
        r = requests.get(f"http://127.0.0.1:{port}/_bench/health", headers={"Host": "bench.lan"}, timeout=5)
        assert r.status_code == 200


def test_crl_and_health_are_public_under_any_name_but_the_pki_bundle_is_not(tmp_path: Path) -> None:
    """A DUI in another container fetches the CRL at the name its certificates carry (`pki`), without the
    admin token; the client bundle (private keys of the test DUI) keeps the token and the Host check."""
    from simulators.core.pki import open_or_init

    config = make_config(tmp_path, admin=AdminConfig(trusted_networks=()), tls=True)
    pki = open_or_init(tmp_path / "pki")
    with Bench(config, [EchoSimulator()], pki=pki) as bench:
        base = bench.admin_url
        foreign = {"Host": "pki:8080"}
        for path in ("/_bench/health", "/_bench/pki/organisations.crl", "/_bench/pki/root.crt", "/_bench/pki/trust.pem"):
            assert requests.get(base + path, headers=foreign, timeout=5).status_code == 200, path
        assert requests.get(base + "/_bench/pki/client-bundle.zip", timeout=5).status_code == 401
        assert requests.get(base + "/_bench/pki/client-bundle.zip", headers=foreign, timeout=5).status_code == 421
        assert requests.get(base + "/_bench/sessions", headers=foreign, timeout=5).status_code == 421
        assert requests.post(base + "/_bench/health", headers=foreign, timeout=5).status_code in (405, 421)
