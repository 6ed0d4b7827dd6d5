"""The DMP benchmark's prepared requests are what the reference client sends, and a refusal is an error."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from loadtests import bench_dmp
from loadtests.common import PreparedRequests, http_load
from loadtests.common import client_tls
from simulators.core.bench import Bench
from simulators.core.config import load_config
from simulators.core.pki.testing import make_test_pki
from simulators.dmp.simulator import DmpSimulator
from simulators.identities.world import build_world

SEED = 20261122


@pytest.fixture(scope="module")
def dmp(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench-dmp")
    pki = make_test_pki(work / "pki")
    config = load_config(None, data_dir=work / "data", tls=True, seed=SEED).ephemeral()
    with Bench(config, [DmpSimulator()], pki=pki) as bench:
        yield bench, pki, build_world(SEED), work


def _send(bench, tls, requests, ok):
    url = bench.url("dmp").replace("localhost", "127.0.0.1")
    return http_load(url, threads=1, duration_s=60, request_factory=requests, ok=ok, ssl_context=client_tls(**tls))


def test_prepared_feeds_are_accepted_once_and_refused_when_replayed(dmp) -> None:
    bench, pki, world, work = dmp
    feeder = bench_dmp._client(bench.url("dmp"), pki, world, "medecin-elise")
    feeds = bench_dmp._prepared_feeds(feeder, world, 2)
    tls = bench_dmp._tls(pki, feeder)
    first = _send(bench, tls, PreparedRequests(str(Path(work) / "f.pickle"), feeds), bench_dmp.feed_accepted)
    assert (first.requests, first.errors) == (2, 0)
    again = _send(bench, tls, PreparedRequests(str(Path(work) / "g.pickle"), feeds), bench_dmp.feed_accepted)
    assert (again.requests, again.errors) == (2, 2)  # duplicate uniqueIds: RegistryResponse Failure, counted


def test_prepared_queries_are_answered_and_a_foreign_certificate_is_an_error(dmp) -> None:
    bench, pki, world, work = dmp
    reader = bench_dmp._client(bench.url("dmp"), pki, world, "pmi-medecin")
    elise = world.person("elise")
    reader.set_authorization(elise.known_ins.value, elise.known_ins.oid)
    queries = bench_dmp._prepared_queries(reader, [(elise.known_ins.value, elise.known_ins.oid)], 3)
    answered = _send(bench, bench_dmp._tls(pki, reader), PreparedRequests(str(Path(work) / "q.pickle"), queries),
                     bench_dmp.query_answered)
    assert (answered.requests, answered.errors) == (3, 0)
    other = bench_dmp._client(bench.url("dmp"), pki, world, "medecin-elise")  # another structure's TLS certificate
    refused = _send(bench, bench_dmp._tls(pki, other), PreparedRequests(str(Path(work) / "r.pickle"), queries),
                    bench_dmp.query_answered)
    assert (refused.requests, refused.errors) == (3, 3)


def test_the_cycled_queries_and_the_partial_factory_pickle() -> None:
    import pickle

    cycled = PreparedRequests("/nonexistent", cycle=True)
    assert pickle.loads(pickle.dumps(cycled)).path == "/nonexistent"  # noqa: S301 - bytes made just above
    partial = pickle.loads(pickle.dumps(functools.partial(bench_dmp.feed_accepted, 200)))  # noqa: S301 - idem
    assert partial(b"x") is False
