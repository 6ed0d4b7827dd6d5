"""INSi load user: traits lookups and unit verifications through the reference client.

Identities are the world's persons the INSi simulator knows with an exact answer (CR 00), so every
call does the full matching work; the CR 02 retry strategy and the key/OID checks of the client run
as a DUI would run them.
"""

from __future__ import annotations

from typing import Any

from locust import task

from ..clients import lookup_persons
from .base import BenchUser, Measure
from simulators.ins.client import InsiClient, LpsIdentity


class InsUser(BenchUser):
    abstract = True
    certificate = "insi-auto"

    def on_start(self) -> None:
        world = self.target.world()
        self.persons = lookup_persons(world)
        self.actor = next(p for p in world.professionals if p.rpps)
        if self.dui is not None:
            return  # the DUI calls the INSi itself
        url = self.target.url("ins")
        verify: Any = True
        cert = None
        if url.startswith("https:"):
            verify, cert = self.target.tls_files(self.certificate)
        self.insi = InsiClient(url, cert=cert, verify=verify, timeout=30.0,
                               lps=LpsIdentity(nom="urn:lps:socle-bench-charge:1.0.0"))

    def _check(self, outcome: Any, m: Measure) -> None:
        m.length = len(outcome.matricule)
        if not outcome.usable:
            m.fail(f"INSi CR {outcome.cr} : INS non récupérée ({'; '.join(outcome.warnings)})")

    @task(4)
    def search(self) -> None:
        person = self.rng.choice(self.persons)

        def direct(m: Measure) -> None:
            self._check(self.insi.search_traits(person.birth_name, person.given_names, person.sex,
                                                person.birth_date, person.birth_place), m)
        self.act("SOAP", "INSi rechercher (traits)", direct, lambda dui: dui.qualify_ins(self.actor, person).ins)

    @task(1)
    def verify(self) -> None:
        person = self.rng.choice(self.persons)

        def direct(m: Measure) -> None:
            if not self.insi.verify(person.ins.value, person.birth_name, person.given_names, person.sex,
                                    person.birth_date, person.birth_place):
                m.fail("vérification INSi : matricule différent ou INS inutilisable")
        self.act("SOAP", "INSi vérifier", direct)
