"""In-process mode: requests to the real hostnames reach the simulators' WSGI apps, no socket at all."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from conformance.inprocess import InProcessBench, endpoint_for_host, pytest_fixture
from tests.support.echo import EchoSimulator

socle_inprocess = pytest_fixture(services=("ins",), session="dui-tests")


def test_echo_app_answers_behind_a_hostname_and_is_journaled(tmp_path: Path) -> None:
    with InProcessBench(tmp_path, factories=[EchoSimulator()], hosts={"echo.socle.test": "echo"}) as bench:
        reply = requests.post("https://echo.socle.test/echo", data="bonjour", timeout=5)
        assert (reply.status_code, reply.text) == (200, "bonjour")
        assert requests.get("https://echo.socle.test/status/503", timeout=5).status_code == 503
        exchanges = bench.exchanges("echo")
        assert [(e.operation, e.status) for e in exchanges] == [("echo", 200), ("status", 503)]
        assert exchanges[0].summary["text"] == "bonjour"


def test_unknown_host_is_refused_with_a_readable_message(tmp_path: Path) -> None:
    with InProcessBench(tmp_path, factories=[EchoSimulator()]), \
            pytest.raises(requests.ConnectionError, match=r"hôte non simulé 'example.org'"):
        requests.get("https://example.org/", timeout=5)


def test_real_hostnames_map_to_the_spec_services() -> None:
    assert endpoint_for_host("qualiflps-services-ps-tlsm.ameli.fr") == "ins"
    assert endpoint_for_host("formation3.lps2.dmp.gouv.fr") == "dmp"
    assert endpoint_for_host("bas-api-fhir.qualif.ror.esante.gouv.fr") == "ror"
    assert endpoint_for_host("gateway.api.esante.gouv.fr") == "annuaire"
    assert endpoint_for_host("www.ameli.fr") is None


def test_a_small_dui_using_requests_qualifies_an_ins_against_the_real_insi_url(socle_inprocess: InProcessBench) -> None:
    """A vendor's client code, unchanged: its production URL, plain requests, no server started."""
    from simulators.ins.client import InsiClient

    outcome = InsiClient("https://qualiflps-services-ps-tlsm.ameli.fr/lps").search_traits(
        "Lavergne", "Fanny Léa", "F", "2018-03-14")
    assert outcome.cr == "00" and outcome.usable
    [exchange] = socle_inprocess.exchanges("ins")
    assert exchange.session == "dui-tests"
    assert exchange.summary["traits"]["nom"] == "LAVERGNE"
    listed = requests.get("http://socle-bench.invalid/_bench/exchanges", params={"session": "dui-tests"}, timeout=5)
    assert [e["operation"] for e in listed.json()["exchanges"]] == ["rechercherInsAvecTraitsIdentite"]


def test_annuaire_and_ror_hosts_answer_in_process(tmp_path: Path) -> None:
    with InProcessBench(tmp_path, services=("mss", "ror")) as bench:
        reply = requests.get("https://gateway.api.esante.gouv.fr/fhir/v2/Organization", params={"name": "CRIP"},
                             headers={"ESANTE-API-KEY": "socle-bench-test-key"}, timeout=5)
        assert reply.status_code == 200 and reply.json()["resourceType"] == "Bundle"
        token = requests.post("https://bas-auth-api.qualif.ror.esante.gouv.fr/auth/realms/ror/protocol/openid-connect/token",
                              data={"grant_type": "client_credentials", "client_id": "bench-profil-0",
                                    "client_secret": "secret-profil-0"}, timeout=5)
        assert token.status_code == 200, token.text
        assert {e.service for e in bench.exchanges()} == {"annuaire", "ror"}


def test_dmp_connector_on_a_test_platform_hostname(tmp_path: Path, pytestconfig: pytest.Config) -> None:
    """The DMP reference connector, unchanged, against formation1.lps2.dmp.gouv.fr: answered in process."""
    from simulators.core.pki.testing import make_test_pki
    from simulators.dmp.client import DmpClient
    from simulators.dmp.journey import identity_for
    from simulators.identities.world import build_world

    cache = getattr(pytestconfig, "cache", None)
    pki = make_test_pki(cache.mkdir("socle-bench-pki") if cache is not None else tmp_path / "pki")
    world = build_world(20261122)
    elise = world.person("elise")
    with InProcessBench(tmp_path, services=("dmp",), session="dui-dmp") as bench:
        client = DmpClient("https://formation1.lps2.dmp.gouv.fr/si-dmp-server/v2/services",
                           identity_for(pki, world, "mecs-psychologue"))
        assert client.set_authorization(elise.ins.value, elise.ins.oid)["authorization"] == "VALIDE"
        found = client.find_documents(elise.ins.value, elise.ins.oid)
        assert found.status.endswith("Success")
        assert "83901-9" in {e.type_code.code for e in found.entries}  # the seeded psychological report
        assert [e.operation for e in bench.exchanges("dmp")] == ["TD0.3", "ITI-18"]
