"""Hostile MTOM/XML on the repository: every attempt gets a SOAP fault, never a crash, and nothing is
half-stored (the session keeps exactly its seeded documents)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from simulators.core.bench import Bench
from simulators.codecs.mtom import build_mtom
from simulators.codecs.soap import Addressing, build_envelope, parse_fault
from simulators.dmp.codec import xds
from simulators.dmp.simulator import DmpSimulator
from simulators.dmp.vihf import security_header
from tests.conftest import make_config
from tests.dmp.conftest import SEED, cda_for

SEEDED_DOCS = 11


@pytest.fixture(scope="module")
def dmp_bench(tmp_path_factory: pytest.TempPathFactory, pki) -> Iterator[Bench]:
    config = make_config(Path(tmp_path_factory.mktemp("dmp-hostile")), tls=True, seed=SEED, max_body_bytes=2_000_000,
                         services={"dmp": {"max_document_bytes": 300_000, "max_parts": 20}})
    with Bench(config, [DmpSimulator()], pki=pki) as bench:
        yield bench


def stored(bench: Bench, session: str) -> int:
    return requests.get(f"{bench.admin_url}/_bench/dmp/{session}/stats", timeout=10).json()["docs"]


def envelope(client, payload, ins: str, oid: str) -> bytes:
    return build_envelope(payload, headers=[security_header(client.vihf(ins, oid))],
                          addressing=Addressing(action=xds.ACTION_ITI41, message_id="urn:uuid:x", must_understand=True))


def post(client, body: bytes, content_type: str) -> requests.Response:
    return requests.post(client.endpoint("repository"), data=body, headers={"Content-Type": content_type},
                         timeout=30, verify=client.verify, cert=client.identity.tls_cert)


@pytest.fixture
def feed_parts(make_client, world):
    client = make_client("medecin-elise")
    spec = cda_for(world, "elise", "medecin-elise", "ordonnance")
    sub = client.prepare([(spec, ())])
    payload, attachments = xds.provide_and_register_request(sub)
    return client, envelope(client, payload, spec.patient.ins, spec.patient.ins_oid), attachments


def expect_fault(response: requests.Response, *, status: int = 400) -> str:
    assert response.status_code == status, response.content[:300]
    return parse_fault(response.content).reason


def test_xxe_is_refused(feed_parts, dmp_bench, session) -> None:
    client, env, attachments = feed_parts
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + env
    body, ctype = build_mtom(evil, attachments, action=xds.ACTION_ITI41)
    assert "DOCTYPE" in expect_fault(post(client, body, ctype))
    assert stored(dmp_bench, session) == SEEDED_DOCS


def test_broken_xop_include_is_refused(feed_parts, dmp_bench, session) -> None:
    client, env, attachments = feed_parts
    body, ctype = build_mtom(env.replace(b"cid:doc0", b"cid:nowhere"), attachments, action=xds.ACTION_ITI41)
    assert "Content-ID" in expect_fault(post(client, body, ctype))
    assert stored(dmp_bench, session) == SEEDED_DOCS


def test_mismatched_start_content_id_is_refused(feed_parts) -> None:
    client, env, attachments = feed_parts
    body, ctype = build_mtom(env, attachments, action=xds.ACTION_ITI41)
    assert "start" in expect_fault(post(client, body, ctype.replace("root.message@socle-bench", "autre@x")))


def test_missing_boundary_and_truncated_body_are_refused(feed_parts) -> None:
    client, env, attachments = feed_parts
    body, ctype = build_mtom(env, attachments, action=xds.ACTION_ITI41)
    assert expect_fault(post(client, body[: len(body) // 2], ctype))
    assert expect_fault(post(client, body, 'multipart/related; type="application/xop+xml"'))


def test_huge_part_is_refused(feed_parts, dmp_bench, session) -> None:
    client, env, attachments = feed_parts
    cid, mime, _ = attachments[0]
    body, ctype = build_mtom(env, [(cid, mime, b"A" * 400000), *attachments[1:]], action=xds.ACTION_ITI41)
    assert "limite" in expect_fault(post(client, body, ctype))
    body, ctype = build_mtom(env, [(cid, mime, b"A" * 2_500_000)], action=xds.ACTION_ITI41)
    assert "volumineuse" in expect_fault(post(client, body, ctype), status=413)
    assert stored(dmp_bench, session) == SEEDED_DOCS


def test_garbage_is_refused(make_client) -> None:
    client = make_client("medecin-elise")
    for body, ctype in ((b"\x00\x01garbage", "application/soap+xml"), (b"<a><b></a>", "application/soap+xml"),
                        (b"{}", "application/json")):
        assert expect_fault(post(client, body, ctype))


def test_a_failing_document_rolls_back_the_whole_lot(make_client, world, dmp_bench, session) -> None:
    client = make_client("medecin-elise")
    first = cda_for(world, "elise", "medecin-elise", "ordonnance")
    second = cda_for(world, "elise", "medecin-elise", "bilan-sante-enfant")
    sub = client.prepare([(first, ()), (second, ())])
    sub.entries[1].size = 1
    result = client.provide_and_register(sub)
    assert not result.ok and result.errors[0].code == "XDSNonIdenticalSize"
    assert stored(dmp_bench, session) == SEEDED_DOCS


def test_cda_with_a_doctype_is_refused_and_not_stored(make_client, world, dmp_bench, session) -> None:
    client = make_client("medecin-elise")
    spec = cda_for(world, "elise", "medecin-elise", "ordonnance")
    sub = client.prepare([(spec, ())], sign=False)
    entry = sub.entries[0]
    evil = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + sub.documents[entry.entry_uuid].split(b"?>", 1)[1]
    sub.documents[entry.entry_uuid] = evil
    entry.hash, entry.size = "", None
    result = client.provide_and_register(sub)
    assert not result.ok and "DOCTYPE" in result.errors[0].context
    assert stored(dmp_bench, session) == SEEDED_DOCS


def test_seeded_mutations_never_crash_the_simulator(feed_parts, dmp_bench, session) -> None:
    """Random truncations and byte flips of a valid ITI-41: every answer is a SOAP fault or a
    RegistryResponse, never the internal-error fault of an unhandled exception in the simulator."""
    import random

    from werkzeug.test import Client

    _, env, attachments = feed_parts
    body, ctype = build_mtom(env, attachments, action=xds.ACTION_ITI41)
    rng = random.Random(20261122)
    wsgi = Client(dmp_bench.servers[0].app)
    for _ in range(int(os.environ.get("DMP_FUZZ_ROUNDS", "40"))):  # raise it locally for a deeper run
        data = bytearray(body)
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data))]
        for _ in range(rng.randrange(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        response = wsgi.post(f"/s/{session}/si-dmp-server/v2/services/repository", data=bytes(data),
                             headers={"Content-Type": ctype})
        assert response.status_code in (200, 400, 413, 500), response.data[:300]
        assert b"erreur interne du simulateur" not in response.data  # 500 only as VersionMismatch (SOAP 1.2)
    assert stored(dmp_bench, session) <= SEEDED_DOCS + 2  # at most one lucky lot: its CDA and its signature
