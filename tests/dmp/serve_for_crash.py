"""Child process of the kill -9 test: a TLS bench with the DMP simulator on a given data dir and PKI,
printing its URL and waiting to be killed."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from simulators.core.bench import Bench
from simulators.core.pki import Pki
from simulators.dmp.simulator import DmpSimulator
from tests.conftest import make_config
from tests.dmp.conftest import SEED


def main(data_dir: str, pki_dir: str) -> None:
    config = make_config(Path(data_dir), tls=True, seed=SEED)
    bench = Bench(config, [DmpSimulator()], pki=Pki.load(pki_dir)).start()
    print(bench.url("dmp"), flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
