"""Reference DUI, ROR part: the orientation search with the ROR reference client.

A social DUI searching MECS near a child's home: MECS have no ROR offer type, so the search goes by
establishment category (TRE_R66 177), the child's age as an age-range pair, a distance around the
home, and "places available" read from the capacity entries. Authentication is by the organisation
certificate (access profile 1, mutual TLS, no client secret) when the bench has a PKI.
"""

from __future__ import annotations

from simulators.identities.model import Professional

from conformance.drivers.base import BenchTarget, DriverError, RorCandidate, RorQuery
from simulators.ror.client import RorApiClient, RorClientError

TOKEN_PATH = "/auth/realms/ror/protocol/openid-connect/token"


class RorPart:
    def __init__(self, target: BenchTarget) -> None:
        base = target.service_url("ror")
        origin, _, _path = base.partition("/ws-diffusion-fhir")
        credentials = target.credentials
        verify: str | bool = credentials.trust_bundle if credentials else True
        fhir_base = f"{origin}/s/{target.session}/ws-diffusion-fhir"
        token_url = f"{origin}/s/{target.session}{TOKEN_PATH}"  # a token is valid in its own session only
        if credentials is not None and credentials.org_cert is not None:
            self.client = RorApiClient(fhir_base, token_url, client_id="bench-profil-1",
                                       cert=credentials.org_cert, verify=verify)
        else:
            self.client = RorApiClient(fhir_base, token_url, client_id="bench-profil-0",
                                       client_secret="secret-profil-0", verify=verify)

    def search(self, actor: Professional, query: RorQuery) -> list[RorCandidate]:
        try:
            offers = self.client.find_offers(offer_type=query.offer_type or None,
                                             establishment_category=query.category_code or None, age=query.age,
                                             near=(query.near.latitude, query.near.longitude),
                                             radius_km=query.radius_km, with_places=query.available_only)
        except RorClientError as exc:
            raise DriverError(f"recherche ROR refusée : {exc}") from exc
        candidates = []
        for offer in offers:
            establishment = offer.establishment or {}
            finess = next((i.get("value", "") for i in establishment.get("identifier") or ()
                           if "finess" in str(i.get("system", "")).lower()), "")
            candidates.append(RorCandidate(name=str(establishment.get("name", "")), finess=finess,
                                           places_available=offer.available_places, distance_km=offer.distance_km))
        return candidates
