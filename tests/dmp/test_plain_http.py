"""Without a PKI (plain HTTP, e.g. a quick local demo) the simulator still serves and still checks
the VIHF signature's integrity against the certificate it carries."""

from __future__ import annotations

from pathlib import Path

from simulators.core.bench import Bench
from simulators.dmp.client import DmpClient
from simulators.dmp.journey import cda_for, identity_for
from simulators.dmp.simulator import DmpSimulator
from tests.conftest import make_config
from tests.dmp.conftest import SEED


def test_plain_http_bench(tmp_path: Path, pki, world) -> None:
    with Bench(make_config(tmp_path, seed=SEED), [DmpSimulator()]) as bench:
        identity = identity_for(pki, world, "mecs-psychologue")
        identity.tls_cert = None
        client = DmpClient(bench.url("dmp"), identity, session="demo")
        elise = world.person("elise")
        assert bench.url("dmp").startswith("http://")
        assert client.set_authorization(elise.ins.value, elise.ins.oid)["authorization"] == "VALIDE"
        assert client.feed([(cda_for(world, "elise", "mecs-psychologue", "bilan-psychologique"), ())]).ok
        titles = {e.title for e in client.find_documents(elise.ins.value, elise.ins.oid).entries}
        assert "Bilan psychologique" in titles
