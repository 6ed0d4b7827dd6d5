"""The runtime end to end over real sockets, through the test-only echo simulator."""

import json
import socket
import time

import pytest
import requests
from flask import Flask

from simulators.core.admin import create_admin_app
from tests.support.echo import EchoSimulator


def admin(bench, path):
    return bench.admin_url + "/_bench" + path


def test_lifecycle_ports_and_health(bench):
    echo = bench.url("echo")
    assert echo.startswith("http://localhost:") and not echo.endswith(":0")
    health = requests.get(admin(bench, "/health"), timeout=5).json()
    assert health["status"] == "ok" and health["services"]["echo"] == echo
    assert requests.get(admin(bench, "/version"), timeout=5).json()["name"] == "socle-bench"


def test_each_request_is_journaled_in_its_session(bench):
    echo = bench.url("echo")
    with requests.Session() as http:
        assert http.post(echo + "/echo", data=b"bonjour", timeout=5).text == "bonjour"
        assert http.post(echo + "/s/ci-a/echo", data=b"A1", timeout=5).text == "A1"
        assert http.post(echo + "/s/ci-b/echo", data=b"B1", timeout=5).text == "B1"
        assert http.get(echo + "/s/ci-a/status/404", timeout=5).status_code == 404
    page = requests.get(admin(bench, "/exchanges"), params={"session": "ci-a"}, timeout=5).json()
    ops = [(e["operation"], e["status"], e["path"]) for e in page["exchanges"]]
    assert ops == [("echo", 200, "/s/ci-a/echo"), ("status", 404, "/s/ci-a/status/404")]
    first = page["exchanges"][0]
    assert first["summary"] == {"length": 2, "text": "A1"} and first["request_size"] == 2
    default = requests.get(admin(bench, "/exchanges"), params={"session": "default", "bodies": "1"}).json()
    assert [e["summary"]["text"] for e in default["exchanges"]] == ["bonjour"]
    raw = requests.get(admin(bench, f"/exchanges/{first['id']}/request"), timeout=5)
    assert raw.content == b"A1"
    filtered = requests.get(admin(bench, "/exchanges"), params={"operation": "status"}).json()
    assert len(filtered["exchanges"]) == 1
    since = requests.get(admin(bench, "/exchanges"), params={"since": time.time() + 60}).json()
    assert since["exchanges"] == []
    assert requests.get(admin(bench, "/exchanges"), params={"since": "hier"}).status_code == 400


def test_exchange_paging_returns_every_exchange_once(bench):
    echo = bench.url("echo")
    with requests.Session() as http:
        for i in range(25):
            http.post(echo + "/s/paging/echo", data=str(i).encode(), timeout=5)
    seen, after = [], None
    while True:
        params = {"session": "paging", "limit": 10, **({"after": after} if after else {})}
        page = requests.get(admin(bench, "/exchanges"), params=params, timeout=5).json()
        seen += [e["summary"]["text"] for e in page["exchanges"]]
        after = page["next_after"]
        if after is None:
            break
    assert seen == [str(i) for i in range(25)]
    lines = requests.get(admin(bench, "/sessions/paging/journal.jsonl"), timeout=5).text.splitlines()
    assert len(lines) == 25 and json.loads(lines[0])["request_body"] == "MA=="


def test_sessions_api_create_list_reset_delete(bench):
    r = requests.post(admin(bench, "/sessions"), json={"name": "pipeline-42", "description": "CI"})
    assert r.status_code == 201 and r.json()["name"] == "pipeline-42"
    assert requests.post(admin(bench, "/sessions"), json={"name": "pipeline-42"}).status_code == 409
    assert requests.post(admin(bench, "/sessions"), json={"name": "../etc"}).status_code == 400
    assert requests.post(admin(bench, "/sessions"), data="nope").status_code == 415  # not JSON: refused (CSRF)
    assert requests.post(admin(bench, "/sessions"), json="nope").status_code == 400
    names = [s["name"] for s in requests.get(admin(bench, "/sessions")).json()]
    assert {"default", "pipeline-42"} <= set(names)
    requests.post(bench.url("echo") + "/s/pipeline-42/echo", data=b"x")
    assert requests.get(admin(bench, "/sessions/pipeline-42")).json()["exchanges"] == 1
    assert requests.post(admin(bench, "/sessions/pipeline-42/reset")).status_code == 200
    assert requests.get(admin(bench, "/sessions/pipeline-42")).json()["exchanges"] == 0
    assert requests.delete(admin(bench, "/sessions/pipeline-42")).status_code == 204
    assert requests.get(admin(bench, "/sessions/pipeline-42")).status_code == 404
    assert requests.post(admin(bench, "/sessions/nope/reset")).status_code == 404


def test_invalid_session_prefix_is_a_clean_404(bench):
    r = requests.post(bench.url("echo") + "/s/bad%20name!/echo", data=b"x", timeout=5)
    assert r.status_code == 404 and "session" in r.text


def test_unexpected_error_gives_no_stack_trace(bench):
    r = requests.get(bench.url("echo") + "/boom", timeout=5)
    assert r.status_code == 500
    assert "Traceback" not in r.text and "secret" not in r.text
    ex = requests.get(admin(bench, "/exchanges"), params={"operation": "boom"}).json()["exchanges"][0]
    assert ex["status"] == 500 and "RuntimeError" in ex["summary"]["bench_error"]


def test_oversized_body_is_refused_with_413(tmp_path):
    from simulators.core.bench import Bench
    from tests.conftest import make_config

    with Bench(make_config(tmp_path, max_body_bytes=1000), [EchoSimulator()]) as b:
        r = requests.post(b.url("echo") + "/echo", data=b"x" * 5000, timeout=5)
        assert r.status_code == 413
        ok = requests.post(b.url("echo") + "/echo", data=b"x" * 1000, timeout=5)
        assert ok.status_code == 200


def _add_rule(bench, **rule):
    r = requests.post(admin(bench, "/faults"), json=rule, timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_fault_injection_latency_error_fault_drop_timeout(bench):
    echo = bench.url("echo") + "/s/faulty/echo"
    rule = _add_rule(bench, kind="latency", session="faulty", latency_ms=300)
    t = time.perf_counter()
    assert requests.post(echo, data=b"x", timeout=5).status_code == 200
    assert time.perf_counter() - t >= 0.3
    assert requests.post(bench.url("echo") + "/echo", data=b"x", timeout=5).elapsed.total_seconds() < 0.3
    assert requests.delete(admin(bench, f"/faults/{rule}")).status_code == 204

    rule = _add_rule(bench, kind="fault", session="faulty", service="echo", fault="teapot")
    r = requests.post(echo, data=b"x", timeout=5)
    assert r.status_code == 418 and "théière" in r.text
    requests.delete(admin(bench, f"/faults/{rule}"))

    rule = _add_rule(bench, kind="error", session="faulty")
    assert requests.post(echo, data=b"x", timeout=5).status_code == 503
    requests.delete(admin(bench, f"/faults/{rule}"))

    rule = _add_rule(bench, kind="drop", session="faulty")
    with pytest.raises(requests.ConnectionError):
        requests.post(echo, data=b"x", timeout=5)
    requests.delete(admin(bench, f"/faults/{rule}"))

    _add_rule(bench, kind="timeout", session="faulty", timeout_s=0.5)
    t = time.perf_counter()
    with pytest.raises(requests.ConnectionError):
        requests.post(echo, data=b"x", timeout=5)
    assert time.perf_counter() - t >= 0.5
    requests.delete(admin(bench, "/faults"), params={"session": "faulty"})
    assert requests.post(echo, data=b"back", timeout=5).text == "back"

    faults = [(e["fault"], e["status"]) for e in
              requests.get(admin(bench, "/exchanges"), params={"session": "faulty"}).json()["exchanges"]]
    assert faults == [("latency", 200), ("teapot", 418), ("error", 503), ("drop", 0), ("timeout", 0), ("", 200)]


def test_fault_rules_are_validated_by_the_admin_api(bench):
    bad = requests.post(admin(bench, "/faults"), json={"kind": "fault", "service": "echo", "fault": "nope"})
    assert bad.status_code == 400 and "teapot" in bad.json()["detail"]
    assert requests.post(admin(bench, "/faults"), json={"kind": "boom"}).status_code == 400
    catalogues = requests.get(admin(bench, "/faults")).json()["catalogues"]
    assert "teapot" in catalogues["echo"]


def test_seeded_faults_replay_identically_after_reset(bench):
    echo = bench.url("echo") + "/s/replay/echo"
    _add_rule(bench, kind="fault", session="replay", service="echo", fault="teapot", probability=0.5)

    def run():
        with requests.Session() as http:
            return [http.post(echo, data=b"x", timeout=5).status_code for _ in range(20)]

    first = run()
    assert set(first) == {200, 418}
    requests.post(admin(bench, "/sessions/replay/reset"))
    assert run() == first


def test_silent_tcp_client_does_not_stall_the_server(bench):
    host, port = "127.0.0.1", int(bench.url("echo").rsplit(":", 1)[1])
    idle = socket.create_connection((host, port))
    try:
        assert requests.post(bench.url("echo") + "/echo", data=b"ok", timeout=5).text == "ok"
    finally:
        idle.close()


def test_openapi_documents_every_admin_route(bench):
    spec = requests.get(admin(bench, "/openapi.json"), timeout=5).json()
    assert spec["openapi"].startswith("3.")
    app = create_admin_app(bench, [])
    documented = {p.replace("{", "<").replace("}", ">") for p in spec["paths"]}
    routes = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/_bench")}
    normalise = lambda s: {x.replace("<exchange_id>", "<id>").replace("<rule_id>", "<id>") for x in s}  # noqa: E731
    assert normalise(routes) == normalise(documented)
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method != "parameters":
                assert op.get("operationId") and op.get("responses"), (path, method)


def test_admin_errors_are_problem_documents(bench):
    r = requests.get(admin(bench, "/nope"), timeout=5)
    assert r.status_code == 404 and r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["status"] == 404
    assert requests.put(admin(bench, "/sessions")).status_code == 405
    assert isinstance(Flask, type)


def test_connections_are_kept_alive_and_bodies_never_leak_into_the_next_request(bench):
    """HTTP/1.1 keep-alive on services and admin API (a new mutual-TLS handshake per request would
    dominate latency), including after a response the app wrote without reading the body."""
    import http.client

    for base, requests_ in (
        (bench.url("echo"), [("POST", "/echo", b"un"), ("GET", "/status/204", b""), ("POST", "/echo", b"deux")]),
        (bench.admin_url, [("POST", "/_bench/sessions", b'{"name": "ka"}'), ("GET", "/_bench/health", b""),
                           ("POST", "/_bench/nope", b"x" * 5000), ("GET", "/_bench/version", b"")]),
    ):
        port = int(base.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        sockets = set()
        statuses = []
        for method, path, body in requests_:
            conn.request(method, path, body=body or None, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
            assert response.getheader("Connection") != "close", (path, response.status)
            sockets.add(id(conn.sock))
        conn.close()
        assert len(sockets) == 1, statuses
    chunked = http.client.HTTPConnection("127.0.0.1", int(bench.url("echo").rsplit(":", 1)[1]), timeout=5)
    chunked.request("POST", "/echo", body=iter([b"par ", b"morceaux"]), encode_chunked=True,
                    headers={"Transfer-Encoding": "chunked"})
    assert chunked.getresponse().read() == b"par morceaux"
    chunked.request("POST", "/echo", body=b"ensuite")
    assert chunked.getresponse().read() == b"ensuite"
