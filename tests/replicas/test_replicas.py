"""Two `socle-bench serve` replicas over one PostgreSQL behind HAProxy (issue 18, docs/replicas.md).

Every check writes through one replica (or through HAProxy) and reads through the other: journal,
fault rules, PSC tokens, MSSanté mail (SMTP in, IMAP out), INSi/ROR/DMP stores."""

from __future__ import annotations

import ssl
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import requests

from loadtests.haproxy import haproxy_binary
from loadtests.replicas import Cluster, replica_cluster
from simulators.core.db import open_database
from simulators.ror.model import DEFAULT_BASE

pytestmark = [
    pytest.mark.postgres,
    # Some requests go straight to one replica on 127.0.0.x, whose certificate names localhost: they skip
    # verification on purpose (marked `verify=False` at each call) and urllib3 warns about exactly that.
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Iterator[Cluster]:
    if haproxy_binary() is None:
        pytest.skip("haproxy absent (make replicas-deps : apt-get install haproxy)")
    from simulators.core.db import drop_schema

    schema = f"t_rep_{uuid.uuid4().hex[:12]}"
    open_database(postgres_url, schema=schema).dispose()
    url = f"{postgres_url}?options=-csearch_path%3D{schema}"
    try:
        with replica_cluster(url, tmp_path_factory.mktemp("replicas")) as running:
            yield running
    finally:
        drop_schema(postgres_url, schema)


def eventually(check: Callable[[], object], timeout: float = 10.0) -> object:
    """The value of `check()` once truthy; replicas see each other's writes within a second."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def _session(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _get(cluster: Cluster, url: str, **kwargs) -> requests.Response:
    with requests.Session() as http:  # a new connection each time: HAProxy balances connections
        http.trust_env = False
        return http.get(url, verify=str(cluster.root_ca), timeout=20, **kwargs)


def _metadata(cluster: Cluster, session: str, replica: int | None) -> requests.Response:
    url = cluster.url("ror", replica) + f"/s/{session}{DEFAULT_BASE}/metadata"
    if replica is not None:  # straight on 127.0.0.x: the certificate names localhost
        with requests.Session() as http:
            http.trust_env = False
            return http.get(url, verify=False, timeout=20)
    return _get(cluster, url)


def _exchanges(cluster: Cluster, session: str, replica: int) -> list[dict]:
    page = requests.get(cluster.admin(replica) + "/exchanges", params={"session": session, "limit": 200}, timeout=20)
    page.raise_for_status()
    return page.json()["exchanges"]


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_journal_is_whole_whichever_replica_served(cluster: Cluster) -> None:
    session = _session("journal")
    for replica in (0, 1, None, None, 0, 1):
        assert _metadata(cluster, session, replica).status_code == 200
    for reader in (0, 1):
        entries = eventually(lambda r=reader: len(_exchanges(cluster, session, r)) >= 6 and _exchanges(cluster, session, r))
        assert entries and len(entries) == 6, f"replica {reader} sees {len(entries or [])} exchanges of 6"
    served = {requests.get(cluster.admin() + "/health", timeout=10).headers["X-Socle-Bench-Replica"] for _ in range(4)}
    assert served == {"replica1", "replica2"}  # the admin port is balanced request by request


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_fault_rule_set_on_one_replica_applies_on_all(cluster: Cluster) -> None:
    session = _session("faults")
    added = requests.post(cluster.admin(0) + "/faults", timeout=10, json={
        "kind": "error", "service": "ror", "operation": "metadata", "session": session})
    assert added.status_code == 201, added.text
    assert eventually(lambda: _metadata(cluster, session, 1).status_code >= 500)
    assert _metadata(cluster, session, 0).status_code >= 500
    listed = requests.get(cluster.admin(1) + "/faults", timeout=10).json()
    assert added.json()["id"] in str(listed)
    requests.delete(f"{cluster.admin(1)}/faults/{added.json()['id']}", timeout=10).raise_for_status()
    assert eventually(lambda: _metadata(cluster, session, 0).status_code == 200)


def _psc_token(cluster: Cluster, replica: int, address: str, session: str) -> dict:
    from simulators.psc.codec import OIDC

    form = {"grant_type": "password", "username": address, "password": "socle-bench",
            "client_id": "socle-bench-dui", "session": session}
    reply = requests.post(cluster.url("psc", replica) + f"/s/{session}{OIDC}/token", data=form, timeout=20,
                          verify=False)  # noqa: S501 - straight on 127.0.0.x: the certificate names localhost
    assert reply.status_code == 200, reply.text
    return reply.json()


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_psc_token_of_one_replica_accepted_by_the_other(cluster: Cluster) -> None:
    from simulators.psc.codec import OIDC
    from loadtests.clients import personal_boxes

    session = _session("psc")
    address = personal_boxes(20261122)[0].address
    tokens = _psc_token(cluster, 0, address, session)
    userinfo = requests.get(cluster.url("psc", 1) + f"/s/{session}{OIDC}/userinfo", timeout=20,
                            headers={"Authorization": f"Bearer {tokens['access_token']}"},
                            verify=False)  # noqa: S501 - straight on 127.0.0.x: the certificate names localhost
    assert userinfo.status_code == 200, userinfo.text
    assert not (cluster.data_dir / "psc-signing-key.pem").exists()  # the key lives in the database
    forged = tokens["access_token"][:-4] + ("AAAA" if not tokens["access_token"].endswith("AAAA") else "BBBB")
    refused = requests.get(cluster.url("psc", 1) + f"/s/{session}{OIDC}/userinfo", timeout=20,
                           headers={"Authorization": f"Bearer {forged}"},
                           verify=False)  # noqa: S501 - straight on 127.0.0.x: the certificate names localhost
    assert refused.status_code == 401


def test_mail_submitted_through_one_replica_is_read_through_the_other(cluster: Cluster) -> None:
    from loadtests.clients import personal_boxes
    from simulators.mss.client import MailClient, compose

    session = _session("mss")
    sender, recipient = personal_boxes(20261122)[:2]
    context = ssl.create_default_context(cafile=str(cluster.root_ca))
    context.check_hostname = False  # straight on 127.0.0.x, the certificate names localhost

    def client(replica: int) -> MailClient:
        r = cluster.replicas[replica]
        return MailClient(r.host, r.ports["smtp"], r.ports["imap"], context, session=session)

    subject = f"réplicas {uuid.uuid4().hex[:6]}"
    token_a = _psc_token(cluster, 0, sender.address, session)["access_token"]
    refused = client(0).send(compose(sender.address, "Émetteur", [recipient.address], subject, "Bonjour."),
                             sender.address, token_a)
    assert refused == {}
    token_b = _psc_token(cluster, 1, recipient.address, session)["access_token"]
    found = eventually(lambda: [raw for _uid, raw in client(1).fetch_all(recipient.address, token_b)
                                if subject.encode() in raw or b"=?utf-8?" in raw.lower()])
    assert found, "the message submitted on replica 1 is not in the box read on replica 2"


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_service_stores_are_shared(cluster: Cluster) -> None:
    session = _session("stores")
    # ROR: a resource put through replica 1's admin API is searched on replica 2 (after it cached the session)
    assert _metadata(cluster, session, 1).status_code == 200
    def counts(replica: int) -> int:
        reply = requests.get(f"{cluster.admin(replica)}/ror/sessions/{session}/counts", timeout=20)
        assert reply.status_code == 200, reply.text
        return int(reply.json()["counts"].get("Organization", 0))

    before = counts(1)
    org = {"resourceType": "Organization", "id": f"rep-{uuid.uuid4().hex[:6]}", "name": "Réplique"}
    put = requests.post(f"{cluster.admin(0)}/ror/sessions/{session}/resources", json=[org], timeout=20)
    assert put.status_code == 201, put.text
    assert eventually(lambda: counts(1) == before + 1), "replica 2 kept its stale ROR index"

    # INSi: a person removed through replica 1 disappears from replica 2's (cached) base
    def persons(replica: int) -> set[str]:
        reply = requests.get(f"{cluster.admin(replica)}/ins/sessions/{session}/persons", timeout=20)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        items = body.get("persons", body) if isinstance(body, dict) else body
        return {p["id"] for p in items}

    known = persons(1)
    victim = sorted(known)[0]
    removed = requests.delete(f"{cluster.admin(0)}/ins/sessions/{session}/persons/{victim}", timeout=20)
    assert removed.status_code in (200, 204), removed.text
    assert eventually(lambda: victim not in persons(1)), "replica 2 kept its stale INSi base"
