"""A vendor-style DUI driver for the load tests: its "DUI API" is the echo service (the address comes
in SOCLE_BENCH_DUI_URL, as for a real vendor driver)."""

from __future__ import annotations

import os

import requests

from conformance.drivers.base import DuiDriver, RorCandidate, RorQuery
from simulators.identities.model import Professional


class EchoDui(DuiDriver):
    name = "echo-dui"
    description = "DUI de test (API = service d'écho)"

    def __init__(self) -> None:
        self.url = os.environ["SOCLE_BENCH_DUI_URL"].rstrip("/")
        self.http = requests.Session()

    def search_ror(self, actor: Professional, query: RorQuery) -> list[RorCandidate]:
        reply = self.http.post(f"{self.url}/echo", data=f"ROR {query.category_code} {query.age} ans".encode(),
                               timeout=10)
        reply.raise_for_status()
        return [RorCandidate(name=reply.text)]
