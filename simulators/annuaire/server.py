"""HTTP adapter of the Annuaire Santé v2 simulator (Flask), mounted under `/fhir/v2`.

As the real service (api-basics.md, mss.md §5): `ESANTE-API-KEY` checked against the configured keys
(401 without or with an unknown key), GET search and POST `_search`, read, `metadata`, pages of 50
(`_count` up to 10000) reached through `[base]/_page?id=…` next links, `_include` / `_revinclude`,
`_elements`, `_summary`, `_sort`, `_total`, JSON or XML, unknown parameter names refused ("Parameter
… not found"), unknown resource types as HAPI ("HAPI-0302: Unknown resource type …"), PUT / DELETE /
PATCH refused. Every error is an OperationOutcome.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, request

from simulators.core.flaskapp import flask_app
from simulators.core.refusal import refuse_in
from simulators.core.service import RequestContext, request_context
from simulators.fhir.bundle import entry, operation_outcome, searchset, subset, summarise
from simulators.fhir.dates import instant
from simulators.fhir.errors import SearchError
from simulators.fhir.formats import negotiate, render
from simulators.fhir.paging import PageCache
from simulators.fhir.query import SearchRequest, parse_search, prefer_handling
from simulators.fhir.syntax import parse_query

from . import model as m
from .capability import capability_statement
from .params import PARAMS
from .resources import Directory
from .search import check_includes, includes, search

DirectorySource = Callable[[str], Directory]


def fhir_error(status: int, message: str, _ctx: RequestContext | None) -> tuple[int, list[tuple[str, str]], bytes]:
    """Errors rendered by the core middleware, in the FHIR shape."""
    code = {404: "not-found", 413: "too-costly", 500: "exception", 503: "transient"}.get(status, "processing")
    body, content_type = render(operation_outcome(message, code=code), "json")
    return status, [("Content-Type", content_type)], body


@dataclass
class _Snapshot:
    session: str
    rtype: str
    ids: list[str]
    request: SearchRequest
    self_url: str


EXTENSION = "annuaire"  # app.extensions key of the `Annuaire` the views serve


@dataclass
class Annuaire:
    """What the views read from `current_app.extensions["annuaire"]`: the session's directory, the
    accepted API keys, the clock, and the searches kept for their `_page` links."""

    directory_of: DirectorySource
    keys: frozenset[str]
    now: Callable[[], float] = time.time
    pages: PageCache[_Snapshot] = field(default_factory=PageCache)


bp = Blueprint("annuaire", __name__, url_prefix="/fhir/v2")


def _annuaire() -> Annuaire:
    return current_app.extensions[EXTENSION]


def create_app(directory_of: DirectorySource, *, api_keys: tuple[str, ...] = m.DEFAULT_API_KEYS,
               clock: Callable[[], float] | None = None) -> Flask:
    app = flask_app("annuaire")
    app.extensions[EXTENSION] = Annuaire(directory_of, frozenset(api_keys), clock or time.time)
    app.register_blueprint(bp)
    return app


def _origin(ctx: RequestContext) -> str:
    return request.host_url.rstrip("/") + ctx.base_path + "/fhir/v2"


def _answer(resource: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    try:
        fmt = negotiate(request.args.get("_format", ""), request.headers.get("Accept", ""))
    except SearchError:
        fmt = "json"
    if status >= 400 and resource.get("resourceType") == "OperationOutcome":
        issue = (resource.get("issue") or [{}])[0]
        refuse_in(request.environ, f"fhir.{issue.get('code', 'processing')}", str(issue.get("diagnostics", "")))
    body, content_type = render(resource, fmt)
    return Response(body, status=status, content_type=content_type, headers=headers or {})


def _guarded(operation: str, view: Callable[[RequestContext], Response]) -> Response:
    ctx = request_context(request.environ)
    ctx.operation = operation
    key = request.headers.get("ESANTE-API-KEY", "")
    ctx.summary["api_key"] = bool(key)
    ctx.summary["api_key_known"] = key in _annuaire().keys
    if not key:
        return _answer(operation_outcome("Clé d'API absente : en-tête ESANTE-API-KEY obligatoire", code="login"),
                       401)
    if key not in _annuaire().keys:
        return _answer(operation_outcome("Clé d'API ESANTE-API-KEY inconnue ou révoquée", code="security"), 401)
    decision = ctx.fault()
    if decision.action in ("fault", "error"):
        ctx.fault_rendered = True
        return _answer(operation_outcome("Service Annuaire Santé indisponible (panne injectée)",
                                         code="transient"), 503)
    try:
        negotiate(request.args.get("_format", ""), request.headers.get("Accept", ""))
        return view(ctx)
    except SearchError as exc:
        ctx.summary["error"] = exc.message
        return _answer(operation_outcome(exc.message, code=exc.code), exc.status)


def _unknown_type(rtype: str) -> SearchError:
    return SearchError(f"HAPI-0302: Unknown resource type '{rtype[:64]}' - Server knows how to handle: "
                       f"[{', '.join(m.RESOURCE_TYPES)}]", status=404, code="processing")


def _render_page(ctx: RequestContext, snapshot: _Snapshot, token: str, offset: int) -> Response:
    annuaire = _annuaire()
    directory = annuaire.directory_of(ctx.session)
    req = snapshot.request
    count = req.count
    chosen = [] if req.summary_count or count == 0 else snapshot.ids[offset:offset + count]
    matched = [r for r in (directory.resources[snapshot.rtype].get(i) for i in chosen) if r is not None]
    base = _origin(ctx)
    rows = [entry(f"{base}/{snapshot.rtype}/{r['id']}", _shape(r, req, match=True), "match") for r in matched]
    rows += [entry(f"{base}/{r['resourceType']}/{r['id']}", _shape(r, req, match=False), "include")
             for r in includes(directory, matched, req.includes)]
    links = [("self", snapshot.self_url if offset == 0 else f"{base}/_page?id={token}_{offset}")]
    if count and offset + count < len(snapshot.ids):
        if not token:
            token = annuaire.pages.put(snapshot)
        links.insert(0, ("next", f"{base}/_page?id={token}_{offset + count}"))
    if count and offset > 0:
        links.append(("previous", f"{base}/_page?id={token}_{max(0, offset - count)}"))
    ctx.summary.update(total=len(snapshot.ids), returned=len(matched), offset=offset,
                       included=len(rows) - len(matched))
    total = None if req.total == "none" else len(snapshot.ids)
    return _answer(searchset(total=total, entries=rows, links=links, bundle_id=str(uuid.uuid4()),
                             last_updated=instant(annuaire.now())))


def _run_search(ctx: RequestContext, rtype: str) -> Response:
    if rtype not in m.RESOURCE_TYPES:
        raise _unknown_type(rtype)
    pairs = parse_query(request.query_string.decode("latin-1"))
    if request.method == "POST":
        pairs += parse_query(request.get_data(as_text=True))
    handling = prefer_handling(request.headers.get("Prefer", ""), "gateway")
    table = PARAMS[rtype]
    req = parse_search(pairs, page_max=m.PAGE_MAX, default_count=m.PAGE_SIZE, rtype=rtype,
                       known=table.__contains__, handling=handling, known_names=lambda: list(table))
    ctx.summary["params"] = sorted({k for k, _ in pairs})
    ctx.summary.update(resource=rtype, **req.describe())
    check_includes(req.includes)
    for element in req.elements:
        if not element.replace(".", "").replace("-", "").isalnum():
            raise SearchError(f"_elements invalide : {element[:40]!r}")
    hits = search(_annuaire().directory_of(ctx.session), rtype, req.clauses, req.sort)
    kept = [(k, v) for k, v in pairs if k not in req.ignored]
    self_url = f"{_origin(ctx)}/{rtype}" + (f"?{urlencode(kept)}" if kept else "")
    return _render_page(ctx, _Snapshot(ctx.session, rtype, [r["id"] for r in hits], req, self_url), "", 0)


def _page(ctx: RequestContext) -> Response:
    token, _, offset = request.args.get("id", "").rpartition("_")
    snapshot = _annuaire().pages.get(ctx.session, token) if offset.isdigit() else None
    if snapshot is None:
        raise SearchError("HAPI-0417: Search ID not found or expired", status=410, code="not-found")
    ctx.operation = f"{snapshot.rtype}.search"
    ctx.summary.update(resource=snapshot.rtype, page_of=token, params=["_page"])
    return _render_page(ctx, snapshot, token, int(offset))


@bp.route("/<rtype>", methods=["GET"])
@bp.route("/<rtype>/_search", methods=["POST", "GET"])
def search_type(rtype: str) -> Response:
    if rtype == "_page":
        return _guarded("page", _page)
    return _guarded(f"{rtype}.search", lambda ctx: _run_search(ctx, rtype))


@bp.get("/<rtype>/<rid>")
def read(rtype: str, rid: str) -> Response:
    def view(ctx: RequestContext) -> Response:
        if rtype not in m.RESOURCE_TYPES:
            raise _unknown_type(rtype)
        resource = _annuaire().directory_of(ctx.session).resources.get(rtype, {}).get(rid)
        if resource is None:
            raise SearchError(f"HAPI-2001: Resource {rtype}/{rid[:64]} is not known", status=404,
                              code="not-found")
        version = str((resource.get("meta") or {}).get("versionId") or "1")
        etag = f'W/"{version}"'
        if request.headers.get("If-None-Match", "").replace("W/", "") == etag.replace("W/", ""):
            return Response(status=304, headers={"ETag": etag})
        shaped = summarise(resource, request.args.get("_summary", ""))
        if request.args.get("_elements"):
            shaped = subset(shaped, tuple(e for e in request.args["_elements"].split(",") if e))
        return _answer(shaped, headers={"ETag": etag})
    return _guarded(f"{rtype}.read", view)


@bp.get("/metadata")
def metadata() -> Response:
    ctx = request_context(request.environ)
    ctx.operation = "metadata"
    return _answer(capability_statement(_origin(ctx), date=instant(_annuaire().now())[:10]))


@bp.route("/<path:_rest>", methods=["PUT", "DELETE", "PATCH"])
def forbidden(_rest: str) -> Response:
    request_context(request.environ).operation = "write"
    return _answer(operation_outcome("API en lecture seule : PUT/DELETE/PATCH interdits", code="forbidden"), 405)


@bp.app_errorhandler(404)
def not_found(_exc: Exception) -> Response:
    request_context(request.environ).operation = "not-found"
    return _answer(operation_outcome(f"ressource ou opération inconnue : {request.path[:120]}",
                                     code="not-found"), 404)


@bp.app_errorhandler(405)
def not_allowed(_exc: Exception) -> Response:
    request_context(request.environ).operation = "method-not-allowed"
    return _answer(operation_outcome(f"méthode {request.method} non prise en charge ici",
                                     code="not-supported"), 405)

def _shape(resource: dict[str, Any], req: SearchRequest, *, match: bool) -> dict[str, Any]:
    if match and req.elements:
        return subset(resource, req.elements)
    return summarise(resource, req.summary)
