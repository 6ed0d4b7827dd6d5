"""ROR load user: offer searches of an orientation day (MECS, CAMSP, EHPAD near a child or an elder)
through the reference FHIR client (token reused, includes resolved, pages followed)."""

from __future__ import annotations

from typing import Any, TypedDict

from locust import task

from .base import BenchUser, Measure
from conformance.drivers.base import RorQuery
from simulators.ror.client import RorApiClient
from simulators.ror.model import TOKEN_PATH

class _What(TypedDict, total=False):
    offer_type: str
    establishment_category: str


# (person of the world, establishment category or offer type, age, radius km): the journeys' searches
SEARCHES: tuple[tuple[str, _What, int, float], ...] = (
    ("elise", {"establishment_category": "177"}, 15, 30.0),  # MECS for a 15-year-old
    ("lucas", {"offer_type": "61"}, 3, 15.0),  # CAMSP for a 3-year-old
    ("elise", {"establishment_category": "177"}, 10, 50.0),
    ("lucas", {"offer_type": "61"}, 5, 30.0),
)


class RorUser(BenchUser):
    abstract = True
    certificate = "org-auth-cli"
    profile = 2  # authenticated by the organisation certificate (mutual TLS) when the bench has TLS

    def on_start(self) -> None:
        self.world = self.target.world()
        if self.dui is not None:
            return  # the DUI calls the ROR itself
        base = self.target.url("ror")
        token_url = f"{self.target.origin('ror')}/s/{self.target.session}{TOKEN_PATH}"  # tokens are per session
        if base.startswith("https:"):
            verify, cert = self.target.tls_files(self.certificate)
            self.ror = RorApiClient(base, token_url, client_id=f"bench-profil-{self.profile}", cert=cert,
                                    verify=verify)
        else:
            self.ror = RorApiClient(base, token_url, client_id="bench-profil-0", client_secret="secret-profil-0")

    @task
    def search_offers(self) -> None:
        person_id, what, age, radius = self.rng.choice(SEARCHES)
        person = self.world.person(person_id)

        def direct(m: Measure) -> None:
            offers = self.ror.find_offers(age=age, near_commune=person.address.commune_code, radius_km=radius,
                                          with_places=self.rng.random() < 0.5, **what)
            m.length = len(offers)

        def via_dui(dui: Any) -> Any:
            return dui.search_ror(self.actor(), RorQuery(near=person.address, radius_km=radius, age=age,
                                                         category_code=what.get("establishment_category", "177")))
        self.act("FHIR", "ROR rechercher des offres", direct, via_dui)

    def actor(self) -> Any:
        return next(p for p in self.world.professionals if p.rpps)
