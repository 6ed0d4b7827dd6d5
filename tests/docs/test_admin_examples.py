"""The samples on the admin API of a bench started as `serve` starts it (the Examples factory appends its
blueprint; the core does not know the package)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from simulators import examples
from simulators.core.bench import Bench
from simulators.examples.server import Examples
from tests.conftest import make_config


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with Bench(make_config(Path(tmp_path_factory.mktemp("examples-api"))), [Examples()]) as bench:
        yield f"{bench.admin_url}/_bench/examples"


def test_index_lists_every_service_with_its_samples(admin: str) -> None:
    body = requests.get(admin, timeout=10).json()
    assert {s["service"]: s["samples"] for s in body["services"]} == {
        s: len(examples.samples(s)) for s in examples.services()}
    assert body["missing"] == {}


def test_a_service_lists_its_samples_in_guide_order(admin: str) -> None:
    listed = requests.get(f"{admin}/dmp", timeout=10).json()
    assert [s["name"] for s in listed] == [s.name for s in examples.samples("dmp")]
    assert all(s["href"] == f"/_bench/examples/dmp/{s['name']}" for s in listed)


def test_one_sample_as_json_and_as_curl(admin: str) -> None:
    one = requests.get(f"{admin}/ins/insi-traits-mtls", timeout=10)
    assert one.status_code == 200 and one.json() == examples.sample("ins", "insi-traits-mtls").as_json()
    command = requests.get(f"{admin}/ins/insi-traits-mtls", params={"format": "curl"}, timeout=10)
    assert command.headers["Content-Type"].startswith("text/plain")
    assert command.text.startswith("curl --cacert .socle-bench/pki/trust.pem --cert ")
    aimed = requests.get(f"{admin}/ins/insi-traits-mtls", params={"format": "curl", "base_url": "https://ins:8443"},
                         timeout=10)
    assert "'https://ins:8443/s/<session>/lps'" in aimed.text


@pytest.mark.parametrize("path", [
    "/inconnu", "/ins/inconnu", "/..", "/ins/..", "/ins/..%2F..%2Fdata%2Findex", "/%2e%2e/index", "/ins/%2e%2e",
    "/ins/insi-traits-mtls.json", "/INS/insi-traits-mtls", "/ins/" + "a" * 200, "/ins/a%00b",
])
def test_hostile_or_unknown_names_get_a_problem_404(admin: str, path: str) -> None:
    """Sent byte for byte (http.client does not remove dot segments as requests does)."""
    url = urlsplit(admin)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request("GET", url.path + path)
        answer = connection.getresponse()
        body = json.loads(answer.read())
    finally:
        connection.close()
    assert answer.status == 404, path
    assert answer.getheader("Content-Type") == "application/problem+json"
    assert body["status"] == 404


def test_curl_of_a_mail_transcript_and_a_bad_base_url_are_refused(admin: str) -> None:
    mail = requests.get(f"{admin}/mss/mss-session.send", params={"format": "curl"}, timeout=10)
    assert mail.status_code == 404 and mail.json()["status"] == 404
    bad = requests.get(f"{admin}/ins/insi-traits-mtls", params={"format": "curl", "base_url": "https://x'; rm -rf /"},
                       timeout=10)
    assert bad.status_code == 400 and bad.headers["Content-Type"] == "application/problem+json"


def test_the_core_does_not_import_the_examples_package() -> None:
    core = Path(__file__).resolve().parents[2] / "simulators" / "core"
    assert not [p for p in core.rglob("*.py") if "simulators.examples" in p.read_text(encoding="utf-8")]


def test_serve_mounts_the_examples(tmp_path: Path) -> None:
    """`socle-bench serve` (any --only) answers /_bench/examples, as the guides and the README say."""
    from tests.support.serve import database_url, serve

    data = tmp_path / "data"
    served = serve(data, database_url("sqlite", data), "ror")
    try:
        answer = requests.get(f"{served.admin}/_bench/examples/ror/ror-requetes.token", params={"format": "curl"},
                              timeout=10)
        assert answer.status_code == 200 and "auth/realms/ror/protocol/openid-connect/token" in answer.text
    finally:
        served.stop()


def test_a_tour_step_that_cannot_run_is_reported_not_raised(admin: str, monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    """A service absent from the bench (here every one but the admin API) or a client that changed: the step
    is named with its reason, the following steps still run."""
    from simulators.examples import tour

    ran: list[str] = []
    steps = (tour.Step("absent", "ins", "service absent", lambda t: t.url("ins", "/lps")),
             tour.Step("present", "ins", "runs", lambda t: ran.append(t.session)))
    monkeypatch.setattr(tour, "STEPS", steps)
    outcome = tour.play(admin.removesuffix("/_bench/examples"), str(tmp_path))
    assert outcome["absent"].startswith("KeyError") and outcome["present"] == ""
    assert ran == ["ex-present"]
