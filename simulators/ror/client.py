"""Reference ROR client: what a good DUI (or orientation tool) does, used by the tests, the load
test and the reference DUI.

It obtains a token once and reuses it until shortly before `exp` (read from the JWT), sends the
four `Ror-*` headers on every call, writes tokens as full `system|code` with NOS systems, searches
MECS by `organization.type` (TRE_R66, no offer type exists), writes an age X as
`age-range-low=leX&age-range-high=geX`, asks for the EJ/EG/OI chain with
`_include:iterate=Organization:partof`, follows `next` links, resolves references from the
included entries (no N+1 reads), and reads "places available" from the capacity entries itself
(ror.md §1.12 item 5: the server may match criteria on different entries).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from simulators.core.errors import BenchError
from simulators.codecs.jose import unverified_claims
from simulators.ror import model as m
from simulators.ror.params import codings, extensions

RENEW_MARGIN_S = 30
CANONICAL_INCLUDES: list[tuple[str, str]] = [
    ("_include", "HealthcareService:organization"), ("_include:iterate", "Organization:partof"),
    ("_include", "HealthcareService:location"), ("_revinclude", "PractitionerRole:service"),
    ("_include", "PractitionerRole:practitioner")]


def token(system_tre: str, code: str) -> str:
    return f"{m.nos(system_tre)}|{code}"


class RorClientError(BenchError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


@dataclass
class SearchResult:
    total: int
    matches: list[dict[str, Any]] = field(default_factory=list)
    included: dict[str, dict[str, Any]] = field(default_factory=dict)  # "Type/id" -> resource
    distances: dict[str, float] = field(default_factory=dict)  # "Location/id" -> km
    pages: int = 0

    def resolve(self, reference: str) -> dict[str, Any] | None:
        return self.included.get(reference)


@dataclass
class OfferView:
    """One offer with everything an orientation screen shows, resolved from the included entries."""

    service: dict[str, Any]
    organizations: list[dict[str, Any]]  # provider first, then its partOf ancestors
    location: dict[str, Any] | None
    distance_km: float | None
    available_places: int | None
    practitioners: list[dict[str, Any]]

    @property
    def establishment(self) -> dict[str, Any] | None:
        """The EG: the first organisation whose type is a FINESS category."""
        for org in self.organizations:
            if any(s == m.CATEGORY_EG for t in org.get("type") or () for s, _ in codings(t)):
                return org
        return self.organizations[0] if self.organizations else None


def available_places(location: dict[str, Any] | None) -> int | None:
    """Places (or beds) with status 02 "Disponible" and temporality 01 "Courant"; None when the
    location publishes no such entry (unknown is not zero)."""
    if location is None:
        return None
    found = None
    for entry in extensions(location, m.EXT_SUPPORTED_CAPACITY):
        status = {c for s in extensions(entry, "capacityStatus") for c in codings(s.get("valueCodeableConcept"))}
        temporality = {c for s in extensions(entry, "temporalityCapacity")
                       for c in codings(s.get("valueCodeableConcept"))}
        if (m.CAPACITY_STATUS, "02") in status and (m.CAPACITY_TEMPORALITY, "01") in temporality:
            numbers = [s.get("valueInteger") for s in extensions(entry, "nbCapacity")]
            found = (found or 0) + sum(n for n in numbers if isinstance(n, int))
    return found


class RorApiClient:
    def __init__(self, fhir_base: str, token_url: str, *, client_id: str, client_secret: str = "",
                 cert: tuple[str, str] | None = None, verify: bool | str = True,
                 headers: dict[str, str] | None = None, http: requests.Session | None = None,
                 clock: Callable[[], float] = time.time, timeout_s: float = 30.0) -> None:
        self.fhir_base = fhir_base.rstrip("/")
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.http = http or requests.Session()
        self.verify = verify  # passed per request: REQUESTS_CA_BUNDLE would override Session.verify
        if cert is not None:
            self.http.cert = cert
        self.ror_headers = dict(headers or m.EXAMPLE_HEADERS)
        self.clock = clock
        self.timeout_s = timeout_s
        self._token = ""
        self._expires_at = 0.0
        self.tokens_obtained = 0

    # --- token ------------------------------------------------------------------------------------------
    def access_token(self) -> str:
        if self._token and self.clock() < self._expires_at - RENEW_MARGIN_S:
            return self._token
        form = {"grant_type": "client_credentials", "client_id": self.client_id}
        if self.client_secret:  # profile 0 only; profiles 1-5 authenticate with the TLS certificate
            form["client_secret"] = self.client_secret
        response = self.http.post(self.token_url, data=form, timeout=self.timeout_s, verify=self.verify)
        if response.status_code != 200:
            raise RorClientError(response.status_code, response.text[:300])
        self._token = response.json()["access_token"]
        exp = unverified_claims(self._token).get("exp")  # a client reads its own token's expiry, unverified
        self._expires_at = float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else 0.0
        self.tokens_obtained += 1
        return self._token

    def _get(self, url: str, params: list[tuple[str, str]] | None = None) -> requests.Response:
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self.access_token()}", "Accept": m.FHIR_JSON, **self.ror_headers}
            response = self.http.get(url, params=params, headers=headers, timeout=self.timeout_s,
                                     verify=self.verify)
            if response.status_code == 401 and attempt == 1:
                self._token = ""  # revoked or expired early: one renewal, then give up
                continue
            return response
        return response

    def _json(self, response: requests.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            try:
                message = response.json()["issue"][0].get("diagnostics", "")
            except (ValueError, KeyError, IndexError, TypeError):
                message = response.text[:300]
            raise RorClientError(response.status_code, message)
        return response.json()

    # --- FHIR -----------------------------------------------------------------------------------------
    def read(self, rtype: str, rid: str) -> dict[str, Any]:
        return self._json(self._get(f"{self.fhir_base}/{rtype}/{rid}"))

    def metadata(self) -> dict[str, Any]:
        return self._json(self._get(f"{self.fhir_base}/metadata"))

    def search(self, rtype: str, params: list[tuple[str, str]], *, max_pages: int = 1000) -> SearchResult:
        """Every page, following `next`, until the Bundle has no next link."""
        bundle = self._json(self._get(f"{self.fhir_base}/{rtype}", params))
        result = SearchResult(total=int(bundle.get("total", 0)))
        while True:
            result.pages += 1
            for entry in bundle.get("entry") or ():
                resource = entry["resource"]
                ref = f"{resource['resourceType']}/{resource['id']}"
                search = entry.get("search") or {}
                for ext in search.get("extension") or ():
                    if ext.get("url") == m.EXT_DISTANCE:
                        result.distances[ref] = float(ext["valueDistance"]["value"])
                if search.get("mode") == "match":
                    result.matches.append(resource)
                else:
                    result.included[ref] = resource
            following = next((link["url"] for link in bundle.get("link") or () if link.get("relation") == "next"), None)
            if following is None or result.pages >= max_pages:
                return result
            bundle = self._json(self._get(following))

    def find_offers(self, *, offer_type: str | None = None, establishment_category: str | None = None,
                    age: int | None = None, near_commune: str | None = None, near: tuple[float, float] | None = None,
                    radius_km: float = 20.0, with_places: bool = False,
                    extra: list[tuple[str, str]] | None = None) -> list[OfferView]:
        params: list[tuple[str, str]] = []
        if offer_type:
            params.append(("service-category", token("TRE_R244-CategorieOrganisation", offer_type)))
        if establishment_category:  # e.g. MECS 177: no offer type exists, search the EG category
            params.append(("organization.type:above", token("TRE_R66-CategorieEtablissement", establishment_category)))
        if age is not None:
            params += [("age-range-low", f"le{age}"), ("age-range-high", f"ge{age}")]
        if near_commune:
            params.append(("location.near-insee-code", f"{near_commune}|{radius_km:g}|km"))
        elif near:
            params.append(("location.near", f"{near[0]}|{near[1]}|{radius_km:g}|km"))
        if with_places:
            params += [("location.capacity-status", token("TRE_R330-TypeStatutCapacite", "02")),
                       ("location.nb-capacity", "gt0")]
        params += (extra or []) + CANONICAL_INCLUDES
        result = self.search("HealthcareService", params)
        views = [self._view(result, service) for service in result.matches]
        if with_places:
            views = [v for v in views if (v.available_places or 0) > 0]
        return sorted(views, key=lambda v: (v.distance_km if v.distance_km is not None else 1e9, v.service["id"]))

    def _view(self, result: SearchResult, service: dict[str, Any]) -> OfferView:
        organizations: list[dict[str, Any]] = []
        ref = (service.get("providedBy") or {}).get("reference", "")
        while ref and len(organizations) < 10:
            org = result.resolve(ref)
            if org is None:
                break
            organizations.append(org)
            ref = (org.get("partOf") or {}).get("reference", "")
        loc_ref = next((x.get("reference", "") for x in service.get("location") or ()), "")
        location = result.resolve(loc_ref)
        me = f"HealthcareService/{service['id']}"
        practitioners = []
        for resource in result.included.values():
            if resource["resourceType"] == "PractitionerRole" and any(
                    h.get("reference") == me for h in resource.get("healthcareService") or ()):
                pra = result.resolve((resource.get("practitioner") or {}).get("reference", ""))
                if pra is not None:
                    practitioners.append(pra)
        return OfferView(service, organizations, location, result.distances.get(loc_ref), available_places(location),
                         practitioners)
