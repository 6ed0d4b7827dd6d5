"""Two teams on one bench: a session created with a secret cannot be seen or touched by another team through
any admin, read, export, reset, delete, fault or service view — one test per path."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from simulators.core.admin_auth import SECRET_HEADER
from simulators.core.bench import Bench
from simulators.dashboard import Dashboard
from simulators.identities.world import build_world
from simulators.registry import load_simulators
from tests.conftest import make_config

_names = itertools.count()


@pytest.fixture(scope="module")
def full_bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    tmp = tmp_path_factory.mktemp("protected")
    with Bench(make_config(Path(tmp)), [*load_simulators(()), Dashboard(scenarios="reference")]) as bench:
        yield bench


class Teams:
    def __init__(self, bench: Bench) -> None:
        n = next(_names)
        self.bench = bench
        self.a, self.b = f"team-a-{n}", f"team-b-{n}"
        self.secret_a, self.secret_b = f"secret-of-a-{n}-xyz", f"secret-of-b-{n}-xyz"
        for name, secret in ((self.a, self.secret_a), (self.b, self.secret_b)):
            r = requests.post(bench.admin_url + "/_bench/sessions", json={"name": name, "secret": secret}, timeout=10)
            assert r.status_code == 201 and r.json()["protected"] is True
        # some traffic and one fault rule in A
        ror = urlsplit(bench.url("ror"))
        url = urlunsplit((ror.scheme, ror.netloc, f"/s/{self.a}{ror.path.rstrip('/')}/metadata", "", ""))
        assert requests.get(url, timeout=10).status_code == 200
        page = requests.get(bench.admin_url + "/_bench/exchanges", params={"session": self.a},
                            headers={SECRET_HEADER: self.secret_a}, timeout=10).json()
        self.exchange = page["exchanges"][0]["id"]
        rule = requests.post(bench.admin_url + "/_bench/faults", json={"kind": "latency", "latency_ms": 1,
                                                                        "session": self.a},
                             headers={SECRET_HEADER: self.secret_a}, timeout=10)
        assert rule.status_code == 201
        self.rule = rule.json()["id"]

    def call(self, method: str, path: str, secret: str | None, json: object = None) -> requests.Response:
        path = path.format(a=self.a, ex=self.exchange, rule=self.rule)
        headers = {SECRET_HEADER: secret} if secret else {}
        kwargs = {"json": json} if json is not None else {}
        return requests.request(method, self.bench.admin_url + path, headers=headers, timeout=10, stream=True,
                                **kwargs)


@pytest.fixture
def teams(full_bench: Bench) -> Teams:
    return Teams(full_bench)


PATHS = [
    ("GET", "/_bench/sessions/{a}", None),
    ("GET", "/_bench/sessions/{a}/journal.jsonl", None),
    ("POST", "/_bench/sessions/{a}/reset", None),
    ("DELETE", "/_bench/sessions/{a}", None),
    ("GET", "/_bench/exchanges?session={a}", None),
    ("GET", "/_bench/exchanges/{ex}", None),
    ("GET", "/_bench/exchanges/{ex}/request", None),
    ("GET", "/_bench/faults?session={a}", None),
    ("POST", "/_bench/faults", {"kind": "drop", "session": "{a}"}),
    ("DELETE", "/_bench/faults?session={a}", None),
    ("DELETE", "/_bench/faults/{rule}", None),
    ("GET", "/ui/api/exchanges?session={a}", None),
    ("GET", "/ui/api/exchanges/{ex}", None),
    ("GET", "/ui/api/stream?session={a}", None),
    ("GET", "/ui/api/faults?session={a}", None),
    ("GET", "/ui/api/sessions/{a}/bundle.zip", None),
    ("GET", "/_bench/mss/dashboard?session={a}", None),
    ("GET", "/_bench/mss/sessions/{a}/mailboxes", None),
    ("POST", "/_bench/mss/sessions/{a}/tokens", {"address": "nobody@example.org"}),
    ("GET", "/_bench/dmp/dashboard?session={a}", None),
    ("GET", "/_bench/dmp/{a}/patients", None),
    ("GET", "/_bench/dmp/{a}/stats", None),
    ("GET", "/_bench/ror/dashboard?session={a}", None),
    ("GET", "/_bench/ror/sessions/{a}/counts", None),
    ("GET", "/_bench/ins/dashboard?session={a}", None),
    ("GET", "/_bench/ins/sessions/{a}/persons", None),
    ("POST", "/_bench/scenarios/fanny/reset", {"session": "{a}"}),
]


@pytest.mark.parametrize(("method", "path", "body"), PATHS, ids=[f"{m} {p}" for m, p, _ in PATHS])
def test_other_team_cannot_use_the_path(teams: Teams, method: str, path: str, body: dict | None) -> None:
    if body is not None:
        body = {k: v.format(a=teams.a) if isinstance(v, str) else v for k, v in body.items()}
    for secret in (teams.secret_b, None, "wrong-secret-123456"):
        r = teams.call(method, path, secret, body)
        assert r.status_code == 403, (secret, r.status_code, r.text[:200])
        assert r.json()["title"] == "Session protégée"
    own = teams.call(method, path, teams.secret_a, body)
    assert own.status_code not in (401, 403), own.text[:200]
    own.close()


def test_views_over_every_session_leave_protected_ones_out(teams: Teams) -> None:
    ids = [e["id"] for e in teams.call("GET", "/_bench/exchanges?limit=1000", None).json()["exchanges"]]
    assert teams.exchange not in ids
    ids = [e["id"] for e in teams.call("GET", "/_bench/exchanges?limit=1000", teams.secret_a).json()["exchanges"]]
    assert teams.exchange in ids
    rows = teams.call("GET", "/ui/api/exchanges?session=*&limit=2000", teams.secret_b).json()["rows"]
    assert teams.exchange not in [r["id"] for r in rows]
    rules = teams.call("GET", "/_bench/faults", teams.secret_b).json()["rules"]
    assert teams.rule not in [r["id"] for r in rules]
    teams.call("DELETE", "/_bench/faults", teams.secret_b)  # clears what B may touch, never A's rule
    assert teams.rule in [r["id"] for r in teams.call("GET", "/_bench/faults", teams.secret_a).json()["rules"]]


def test_a_rule_for_every_session_is_refused_while_protected_sessions_exist(teams: Teams) -> None:
    r = teams.call("POST", "/_bench/faults", teams.secret_b, {"kind": "drop", "session": "*"})
    assert r.status_code == 403 and teams.a in r.json()["detail"]


def test_the_secret_is_never_served(teams: Teams) -> None:
    listing = teams.call("GET", "/_bench/sessions", None).text
    one = teams.call("GET", "/_bench/sessions/{a}", teams.secret_a).text
    for text in (listing, one):
        assert teams.secret_a not in text and "sha256:" not in text and "_secret" not in text


def test_mailboxes_of_a_protected_session_need_its_secret_for_a_token(teams: Teams) -> None:
    """IMAP/SMTP are opened by a PSC token, which carries its bench session: a token for a protected session
    is minted only with that session's secret (header or `session_secret`), so team B cannot read A's boxes."""
    psc = urlsplit(teams.bench.url("psc"))
    token_url = f"{psc.scheme}://{psc.netloc}/auth/realms/esante-wallet/protocol/openid-connect/token"
    box = next(p.mss_address for p in build_world(teams.bench.config.seed).professionals if p.mss_address)
    form = {"grant_type": "password", "username": box, "password": "socle-bench", "client_id": "socle-bench-dui",
            "session": teams.a}
    refused = requests.post(token_url, data=form, timeout=10)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    wrong = requests.post(token_url, data=form, headers={SECRET_HEADER: teams.secret_b}, timeout=10)
    assert wrong.status_code == 401
    granted = requests.post(token_url, data=form, headers={SECRET_HEADER: teams.secret_a}, timeout=10)
    assert granted.status_code == 200 and granted.json()["access_token"]
    in_form = requests.post(token_url, data={**form, "session_secret": teams.secret_a}, timeout=10)
    assert in_form.status_code == 200
    open_session = requests.post(token_url, data={**form, "session": f"ouverte-{teams.a}"}, timeout=10)
    assert open_session.status_code == 200  # unprotected sessions are unchanged
