"""The ROR API without HTTP: authorisation (bearer token + `Ror-*` headers), search, paging, read,
each returning a FHIR resource and a summary for the journal. `server.py` only moves bytes.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from werkzeug.datastructures import Headers

from simulators.core.errors import BenchError
from simulators.fhir.dates import instant
from simulators.fhir.filter import leaves
from simulators.fhir.query import without_params
from simulators.ror import rules
from simulators.ror.auth import TokenInvalid, TokenIssuer
from simulators.ror.codec import SearchError, SearchRequest, parse_search, searchset
from simulators.ror.index import SessionIndex
from simulators.ror.model import (
    RESOURCE_TYPES,
    ROR_HEADERS,
    TokenClaims,
)
from simulators.ror.options import RorOptions
from simulators.ror.params import PARAMS
from simulators.ror.rendered import RenderedBundle
from simulators.ror.results import (
    Snapshot,
    SnapshotCache,
    check_includes,
    order,
    page_entries,
)
from simulators.ror.search import Evaluation, match_all
from simulators.ror.store import RorStore

MAX_FILTER_LEAVES = 60
MAX_NEAR_VALUES = 10


class Denied(BenchError):
    """Refused before any search: 401 (token), the configured 4xx (headers), 403 (profile)."""

    def __init__(self, status: int, message: str, code: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = dict(headers or {})


class RorService:
    def __init__(self, store: RorStore, options: RorOptions, issuer: TokenIssuer,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.options = options
        self.issuer = issuer
        self.clock = clock
        self.snapshots = SnapshotCache()
        store.on_write.append(self.snapshots.drop_session)
        store.warmers.append(self._warm)

    def _warm(self, index: SessionIndex) -> None:
        for profile in (0, 1):  # the two distinct visibility rules (see rules.hidden_predicate)
            index.warm_visibility(self._hidden(index, profile))

    # --- access -----------------------------------------------------------------------------------------
    def authorize(self, headers: Mapping[str, str] | Headers, summary: dict[str, Any]) -> TokenClaims:
        present = {h: headers.get(h, "") for h in ROR_HEADERS if headers.get(h)}
        summary["ror_headers"] = present
        auth = headers.get("Authorization", "")
        summary["bearer"] = auth.startswith("Bearer ")
        if not auth.startswith("Bearer "):
            raise Denied(401, "authentification requise : en-tête Authorization: Bearer <jeton> absent", "login",
                         {"WWW-Authenticate": 'Bearer realm="ror"'})
        try:
            claims = self.issuer.verify(auth[7:].strip())
        except TokenInvalid as exc:
            summary["token_error"] = str(exc)
            raise Denied(401, str(exc), "login", {"WWW-Authenticate": f'Bearer realm="ror", error="invalid_token", '
                                                                      f'error_description="{exc}"'}) from exc
        summary.update(client_id=claims.client_id, profile=claims.profile, token_jti=claims.jti,
                       token_exp=claims.expires_at, token_iat=claims.issued_at)
        missing = [h for h in ROR_HEADERS if not headers.get(h)]
        if missing:
            summary["missing_headers"] = missing
            raise Denied(self.options.header_status, "en-têtes ROR obligatoires absents : " + ", ".join(missing),
                         "security")
        return claims

    def _presenter(self, index: SessionIndex, profile: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def present(resource: dict[str, Any]) -> dict[str, Any]:
            if profile == 1:
                return resource
            medico = None
            if resource.get("resourceType") == "Location":
                org = index.resolve((resource.get("managingOrganization") or {}).get("reference", ""))
                medico = rules.is_medico_social(org) if org else False
            return rules.present(resource, profile, medico_social=medico)
        return present

    def _hidden(self, index: SessionIndex, profile: int) -> frozenset[str]:
        return index.hidden(rules.visibility_class(profile), rules.hidden_predicate(profile))

    # --- search -------------------------------------------------------------------------------------------
    def search(self, session: str, claims: TokenClaims, rtype: str, pairs: list[tuple[str, str]], *,
               base_url: str, self_url: str, summary: dict[str, Any], handling: str = "") -> dict[str, Any]:
        if rtype not in RESOURCE_TYPES:
            raise SearchError(f"HAPI-0302: Unknown resource type '{rtype[:64]}' - Server knows how to handle: "
                              f"[{', '.join(RESOURCE_TYPES)}]", status=404, code="not-supported")
        request = parse_search(pairs, rtype=rtype, handling=handling or self.options.unknown_params)
        self_url = without_params(self_url, request.ignored)
        summary.update(resource=rtype, **request.describe())
        if request.page_token:
            return self.page(session, claims, request.page_token, request.offset, request.count,
                             base_url=base_url, self_url=self_url, summary=summary)
        self._validate(rtype, request, claims)
        index = self.store.index(session)
        hidden = self._hidden(index, claims.profile)
        evaluation = Evaluation(index, hidden, self.options.capacity_same_entry)
        matched = match_all(evaluation, rtype, request.clauses, request.filter)
        ids = order(index, rtype, matched, request.sort)
        snapshot = Snapshot(session, rtype, tuple(ids), request, evaluation.distances, claims.profile, hidden)
        token = self.snapshots.put(snapshot) if len(ids) > request.count or request.offset else ""
        return self._render(index, snapshot, token, request.offset, request.count, base_url, self_url, summary)

    def _validate(self, rtype: str, request: SearchRequest, claims: TokenClaims) -> None:
        check_includes(request.includes)
        clauses = list(request.clauses)
        if request.filter is not None:
            filter_leaves = leaves(request.filter)
            if len(filter_leaves) > MAX_FILTER_LEAVES:
                raise SearchError(f"_filter : au plus {MAX_FILTER_LEAVES} comparaisons")
            clauses += filter_leaves
        for clause in clauses:
            if clause.name in ("near", "near-insee-code") and len(clause.values) > MAX_NEAR_VALUES:
                raise SearchError(f"{clause.name} : au plus {MAX_NEAR_VALUES} valeurs alternatives")
        forbidden = rules.forbidden_criteria(claims.profile, [c.name for c in clauses])
        if forbidden:
            raise Denied(403, f"profil d'accès {claims.profile} : critères capacitaires non autorisés "
                              f"({', '.join(sorted(set(forbidden)))})", "forbidden")

    def page(self, session: str, claims: TokenClaims, token: str, offset: int, count: int, *, base_url: str,
             self_url: str, summary: dict[str, Any]) -> dict[str, Any]:
        snapshot = self.snapshots.get(session, token)
        if snapshot is None:
            raise SearchError("page de résultats inconnue ou expirée : relancer la recherche", status=410,
                              code="not-found")
        if snapshot.profile != claims.profile:
            raise Denied(403, "page de résultats obtenue avec un autre profil d'accès", "forbidden")
        summary.update(resource=snapshot.rtype, page_of=token, criteria=snapshot.request.describe()["criteria"],
                       includes=snapshot.request.describe()["includes"])
        index = self.store.index(session)
        return self._render(index, snapshot, token, offset, count or snapshot.request.count, base_url, self_url,
                            summary)

    def _render(self, index: SessionIndex, snapshot: Snapshot, token: str, offset: int, count: int,
                base_url: str, self_url: str, summary: dict[str, Any]) -> dict[str, Any]:
        total = len(snapshot.ids)
        entries_json: list[bytes] = []
        entries = [] if snapshot.request.summary_count or count == 0 else page_entries(
            index, snapshot, offset, count, base_url, self._presenter(index, snapshot.profile), entries_json)
        links = [("self", self_url)]
        fmt = f"&_format={quote(snapshot.request.format, safe='')}" if snapshot.request.format else ""

        def page_url(at: int) -> str:  # HAPI keeps the requested format on its paging links
            return f"{base_url}?_getpages={token}&_getpagesoffset={at}&_count={count}&_bundletype=searchset{fmt}"
        if token and count and offset + count < total:
            links.append(("next", page_url(offset + count)))
        if token and count and offset > 0:
            links.append(("previous", page_url(max(0, offset - count))))
        matches = [e for e in entries if e["search"]["mode"] == "match"]
        summary.update(total=total, returned=len(matches), included=len(entries) - len(matches), offset=offset,
                       has_next=any(rel == "next" for rel, _ in links), next_token=token,
                       match_ids=[e["resource"]["id"] for e in matches][:50],
                       included_refs=[f"{e['resource']['resourceType']}/{e['resource']['id']}"
                                      for e in entries if e["search"]["mode"] == "include"][:500])
        return RenderedBundle(searchset(total=total, entries=entries, links=links, bundle_id=str(uuid.uuid4()),
                                        last_updated=instant(self.clock())), entries_json)

    # --- read ---------------------------------------------------------------------------------------------
    def read(self, session: str, claims: TokenClaims, rtype: str, rid: str, summary: dict[str, Any]) -> dict[str, Any]:
        summary.update(resource=rtype, read=f"{rtype}/{rid}")
        if rtype not in RESOURCE_TYPES:
            raise SearchError(f"type de ressource non pris en charge : {rtype}", status=404, code="not-supported")
        index = self.store.index(session)
        resource = index.get(rtype, rid)
        if resource is None or f"{rtype}/{rid}" in self._hidden(index, claims.profile):
            raise SearchError(f"ressource {rtype}/{rid[:64]} introuvable", status=404, code="not-found")
        return self._presenter(index, claims.profile)(resource)

    def extract(self, session: str, claims: TokenClaims, pairs: list[tuple[str, str]],
                complete: bool) -> dict[str, list[dict[str, Any]]]:
        """Files of a `$export` job: the filtered offers, and with `_myCompleteExtract` everything
        associated to them, as the caller's profile sees it."""
        request = parse_search(pairs, rtype="HealthcareService", handling=self.options.unknown_params)
        self._validate("HealthcareService", request, claims)
        index = self.store.index(session)
        hidden = self._hidden(index, claims.profile)
        matched = match_all(Evaluation(index, hidden, self.options.capacity_same_entry), "HealthcareService",
                            request.clauses, request.filter)
        ordered = order(index, "HealthcareService", matched, [])
        files = self.associated(index, ordered) if complete else {
            "HealthcareService": [r for r in (index.get("HealthcareService", i) for i in ordered) if r]}
        present = self._presenter(index, claims.profile)
        return {t: [present(r) for r in items if f"{t}/{r['id']}" not in hidden] for t, items in files.items()}

    def associated(self, index: SessionIndex, services: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The complete extract of `$export` (`_myCompleteExtract`): offers with their places,
        providers up the `partOf` chain, roles and practitioners."""
        out: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in RESOURCE_TYPES}
        roles = index.referrers("PractitionerRole", PARAMS["PractitionerRole"]["service"])
        for sid in services:
            hs = index.get("HealthcareService", sid)
            if hs is None:
                continue
            out["HealthcareService"][sid] = hs
            for ref in [*(x.get("reference", "") for x in hs.get("location") or ()),
                        (hs.get("providedBy") or {}).get("reference", "")]:
                target = index.resolve(ref) if ref else None
                if target is not None:
                    out[target["resourceType"]][target["id"]] = target
            for rid in roles.get(f"HealthcareService/{sid}", ()):
                role = index.get("PractitionerRole", rid)
                out["PractitionerRole"][rid] = role  # type: ignore[assignment]
                pra = index.resolve((role or {}).get("practitioner", {}).get("reference", ""))
                if pra is not None:
                    out["Practitioner"][pra["id"]] = pra
        for org_id in list(out["Organization"]):
            for ancestor in index.lineage(org_id)[1:]:
                org = index.get("Organization", ancestor)
                if org is not None:
                    out["Organization"][ancestor] = org
        return {t: list(v.values()) for t, v in out.items()}



__all__ = ["Denied", "RorOptions", "RorService"]  # RorOptions: options.py, re-exported for one release
