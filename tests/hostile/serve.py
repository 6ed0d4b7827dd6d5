"""Child process of the hostile suite: every shipped simulator over TLS in one bench process, with
short request deadlines and a small worker pool, so that stalling clients are cut quickly and a pool
exhaustion would show. Prints one JSON line (endpoints) and serves until killed."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from simulators.core.bench import Bench
from simulators.core.pki import Pki
from simulators.registry import load_simulators
from tests.conftest import make_config

SEED = 20261122
LIMITS = {"header_timeout_s": 1.0, "body_timeout_s": 1.5, "handshake_timeout_s": 1.0, "threads": 6,
          "max_body_bytes": 2 * 1024 * 1024}


def main(data_dir: str, pki_dir: str) -> None:
    config = make_config(Path(data_dir), tls=True, seed=SEED, max_body_bytes=LIMITS["max_body_bytes"])
    config.services["server"] = {k: v for k, v in LIMITS.items() if k != "max_body_bytes"}
    bench = Bench(config, load_simulators(), pki=Pki.load(pki_dir)).start()
    print(json.dumps({e.service: e.url for e in bench.endpoints()}), flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
