"""HTTP adapter of the ROR simulator (Flask blueprints; factory: factory.py).

Routes: the Keycloak-like token endpoint and JWKS, then under the configurable FHIR base
(`/ws-diffusion-fhir`): `metadata`, read, search-type (GET and POST `_search`), HAPI paging
(`?_getpages=`), `$export` with polling. Every FHIR error is an OperationOutcome in
`application/fhir+json`, including the ones the middleware renders (404 session, 413, 500).
"""

from __future__ import annotations

import base64
from datetime import datetime, UTC
from email.utils import format_datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, current_app, request

from simulators.core.exchange import Caller
from simulators.core.flaskapp import flask_app
from simulators.core.refusal import record_refusal, refuse_in
from simulators.core.service import RequestContext, request_context
from simulators.core.simulator import ServiceAlias
from simulators.fhir.dates import instant
from simulators.fhir.formats import negotiate, render
from simulators.fhir.query import prefer_handling
from simulators.ror import codec
from simulators.ror.auth import STAND_IN_HEADER, OAuthError, TokenIssuer, TokenRequest, authenticate
from simulators.ror.capability import capability_statement
from simulators.ror.codec import SearchError, dumps, operation_outcome
from simulators.ror.engine import Denied, RorService
from simulators.ror.export import ExportJobs, parse_kickoff
from simulators.ror.model import FHIR_JSON, JWKS_PATH, TOKEN_PATH
from simulators.ror.options import RorOptions
from simulators.ror.rendered import RenderedBundle
import contextlib

CATALOGUE = {
    "ror_token_rejected": "Jeton refusé (401 OperationOutcome) alors qu'il est valide",
    "ror_rate_limited": "Trop de requêtes (429 OperationOutcome, Retry-After: 2)",
    "ror_unavailable": "Service en maintenance (503 OperationOutcome, Retry-After: 30)",
    "ror_gateway_timeout": "Passerelle expirée (504 OperationOutcome)",
}
_FAULTS = {"ror_token_rejected": (401, "jeton d'accès refusé (défaut injecté)", "login", {}),
           "ror_rate_limited": (429, "trop de requêtes (défaut injecté)", "throttled", {"Retry-After": "2"}),
           "ror_unavailable": (503, "service indisponible (défaut injecté)", "transient", {"Retry-After": "30"}),
           "ror_gateway_timeout": (504, "délai dépassé (défaut injecté)", "timeout", {})}


def response_format() -> str:
    """JSON or XML for this request (`_format` then `Accept`); JSON when the request asks for
    something else, so the 406 OperationOutcome itself stays readable."""
    try:
        return negotiate(_format_param(), request.headers.get("Accept", ""))
    except SearchError:
        return "json"


def fhir_response(resource: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    fmt = response_format()
    if fmt == "json" and isinstance(resource, RenderedBundle):  # entries serialised once (rendered.py)
        return Response(resource.to_json(), status=status, headers=headers or {},
                        content_type=f"{FHIR_JSON};charset=UTF-8")
    body, content_type = render(resource, fmt)
    return Response(body, status=status, headers=headers or {}, content_type=content_type)


def outcome(status: int, message: str, code: str = "invalid", headers: dict[str, str] | None = None) -> Response:
    if status >= 400:
        refuse_in(request.environ, f"fhir.{code}", message)
    return fhir_response(operation_outcome(message, code=code), status, headers)


def render_error(status: int, message: str, _ctx: RequestContext | None) -> tuple[int, list[tuple[str, str]], bytes]:
    """Errors rendered by the core middleware, in the FHIR shape."""
    code = {404: "not-found", 413: "too-costly", 500: "exception", 503: "transient"}.get(status, "processing")
    return status, [("Content-Type", f"{FHIR_JSON};charset=UTF-8")], dumps(operation_outcome(message, code=code))


@dataclass(frozen=True)
class RorApp:
    """What the views of one ROR app read (`current_app.extensions["socle_bench.ror"]`)."""

    options: RorOptions
    service: RorService
    issuer: TokenIssuer
    tls: bool
    exports: ExportJobs


EXTENSION_KEY = "socle_bench.ror"
#: the OAuth endpoints (token, JWKS), at fixed paths
auth_blueprint = Blueprint("ror_auth", __name__)
#: the FHIR API, registered under the configured base (`[services.ror] base`)
fhir_blueprint = Blueprint("ror_fhir", __name__)


def _ror() -> RorApp:
    return current_app.extensions[EXTENSION_KEY]


def origin(ctx: RequestContext) -> str:
    return request.host_url.rstrip("/") + ctx.base_path + _ror().options.base


def guarded(operation: str, view: Any) -> Response:
    ror = _ror()
    ctx = request_context(request.environ)
    ctx.operation = operation
    try:
        claims = ror.service.authorize(request.headers, ctx.summary)
        if claims.session != ctx.session:
            ctx.summary["token_error"] = "session"
            raise Denied(401, f"jeton émis pour une autre session du banc ({claims.session or '?'})", "login",
                         {"WWW-Authenticate": 'Bearer realm="ror", error="invalid_token", '
                                              'error_description="jeton d\'une autre session"'})
        ctx.caller = Caller(kind="oauth", subject=claims.client_id, issuer=ror.issuer.issuer,
                            attributes={"profile": claims.profile, "jti": claims.jti,
                                        "exp": claims.expires_at, "tls": ctx.caller.subject})
        negotiate(_format_param(), request.headers.get("Accept", ""))
        decision = ctx.fault(operation)
        if decision.action in ("fault", "error"):
            ctx.fault_rendered = True
            status, message, code, headers = _FAULTS.get(decision.fault, (500, "erreur interne (défaut injecté)",
                                                                          "exception", {}))
            return outcome(status, message, code, headers)
        return view(ctx, claims)
    except Denied as exc:
        return outcome(exc.status, exc.message, exc.code, exc.headers)
    except SearchError as exc:
        ctx.summary["error"] = exc.message
        return outcome(exc.status, exc.message, exc.code)


@auth_blueprint.post(TOKEN_PATH)
def token() -> Response:
    ror = _ror()
    ctx = request_context(request.environ)
    ctx.operation = "token"
    form = dict(request.form.items())
    basic = _basic_auth(request.headers.get("Authorization", ""))
    certificate = ctx.caller if ctx.caller.kind == "tls" else None
    ctx.summary.update(grant_type=form.get("grant_type", ""), client_id=(basic or (form.get("client_id", ""),))[0],
                       secret_sent=bool(form.get("client_secret") or basic), certificate=certificate is not None,
                       certificate_cn=certificate.attributes.get("cn", "") if certificate else "")
    registered = ror.options.clients.get(ctx.summary["client_id"])
    if registered is not None:
        ctx.summary["profile"] = registered.profile
    try:
        client, thumbprint = authenticate(TokenRequest(form, basic, certificate,
                                                       request.headers.get(STAND_IN_HEADER, "")),
                                          ror.options.clients, tls=ror.tls)
    except OAuthError as exc:
        ctx.summary["error"] = exc.error
        record_refusal(ctx.summary, f"oauth.{exc.error}", exc.description)
        return Response(dumps({"error": exc.error, "error_description": exc.description}), status=exc.status,
                        content_type="application/json", headers={"Cache-Control": "no-store"})
    ctx.summary.update(profile=client.profile, bound=bool(thumbprint))
    decision = ctx.fault("token")
    if decision.action in ("fault", "error"):
        ctx.fault_rendered = True
        return Response(dumps({"error": "temporarily_unavailable", "error_description": "défaut injecté"}),
                        status=503, content_type="application/json")
    issued = ror.issuer.issue(client, thumbprint=thumbprint, session=ctx.session)
    ctx.summary["token_exp_in"] = issued["expires_in"]
    return Response(dumps(issued), content_type="application/json", headers={"Cache-Control": "no-store"})


@auth_blueprint.get(JWKS_PATH)
def jwks() -> Response:
    request_context(request.environ).operation = "jwks"
    return Response(dumps(_ror().issuer.jwks()), content_type="application/json")


@fhir_blueprint.get("/metadata")
def metadata() -> Response:
    ctx = request_context(request.environ)
    ctx.operation = "metadata"
    ctx.fault("metadata")
    return fhir_response(capability_statement(origin(ctx), date=instant(_ror().service.clock())[:10]))


@fhir_blueprint.route("", methods=["GET"])
@fhir_blueprint.route("/", methods=["GET"])
def pages() -> Response:
    def view(ctx: RequestContext, claims: Any) -> Response:
        pairs = _pairs()
        if not any(k == "_getpages" for k, _ in pairs):
            raise SearchError("requête au niveau système non prise en charge (utiliser [base]/<Type>?…)")
        if any(k not in ("_getpages", "_getpagesoffset", "_count", "_bundletype", "_pretty", "_format")
               for k, _ in pairs):
            raise SearchError("une page de résultats n'accepte que _getpages, _getpagesoffset et _count")
        req = codec.parse_search(pairs)
        return fhir_response(_ror().service.page(ctx.session, claims, req.page_token, req.offset,
                                                 req.count if any(k == "_count" for k, _ in pairs) else 0,
                                                 base_url=origin(ctx), self_url=request.url, summary=ctx.summary))
    return guarded("search-page", view)


@fhir_blueprint.route("/<rtype>", methods=["GET"])
@fhir_blueprint.route("/<rtype>/_search", methods=["POST"])
def search(rtype: str) -> Response:
    if rtype.startswith("$"):
        return _operation(rtype)

    def view(ctx: RequestContext, claims: Any) -> Response:
        pairs = _pairs()
        if request.method == "POST":
            pairs += codec.parse_query(request.get_data(as_text=True))
        handling = prefer_handling(request.headers.get("Prefer", ""), _ror().options.unknown_params)
        ctx.summary["handling"] = handling
        return fhir_response(_ror().service.search(ctx.session, claims, rtype, pairs, base_url=origin(ctx),
                                                   self_url=request.url, summary=ctx.summary, handling=handling))
    return guarded(f"search-{rtype}", view)


@fhir_blueprint.get("/<rtype>/<rid>")
def read(rtype: str, rid: str) -> Response:
    def view(ctx: RequestContext, claims: Any) -> Response:
        resource = _ror().service.read(ctx.session, claims, rtype, rid, ctx.summary)
        headers = {"ETag": f'W/"{(resource.get("meta") or {}).get("versionId") or 1}"'}
        if etag_matches(request.headers.get("If-None-Match", ""), headers["ETag"]):
            ctx.summary["not_modified"] = True
            return Response(status=304, headers=headers)
        updated = (resource.get("meta") or {}).get("lastUpdated", "")
        with contextlib.suppress(ValueError):
            headers["Last-Modified"] = format_datetime(datetime.fromisoformat(updated.replace("Z", "+00:00"))
                                                       .astimezone(UTC), usegmt=True)
        return fhir_response(resource, headers=headers)
    return guarded(f"read-{rtype}", view)


def _operation(name: str) -> Response:
    if name == "$export":
        return guarded("export", export_kickoff)
    if name == "$export-poll-status":
        return guarded("export-poll", export_poll)
    if name == "$export-file":
        return guarded("export-file", export_file)
    return guarded("unknown", lambda ctx, claims: outcome(404, f"opération inconnue : {name[:40]}",
                                                          "not-supported"))


def export_kickoff(ctx: RequestContext, claims: Any) -> Response:
    ror = _ror()
    args = dict(request.args.items())
    _types, query, complete = parse_kickoff(args)
    files = ror.service.extract(ctx.session, claims, parse_qsl(query, keep_blank_values=True), complete)
    job = ror.exports.start(ctx.session, claims.client_id, request.url, files)
    ctx.summary.update(export_job=job.id, complete=complete, offers=len(files.get("HealthcareService", [])))
    return Response(status=202, headers={"Content-Location": f"{origin(ctx)}/$export-poll-status?_jobId={job.id}"})


def export_poll(ctx: RequestContext, claims: Any) -> Response:
    exports = _ror().exports
    job = exports.get(ctx.session, request.args.get("_jobId", ""))
    if job is None:
        raise SearchError("travail d'export inconnu", status=404, code="not-found")
    ctx.summary["export_job"] = job.id
    if not exports.ready(job):
        ctx.summary["ready"] = False
        return Response(status=202, headers={"X-Progress": "en cours", "Retry-After": "1"})
    ctx.summary["ready"] = True
    return Response(dumps(exports.manifest(job, origin(ctx))), content_type="application/json")


def export_file(ctx: RequestContext, claims: Any) -> Response:
    job = _ror().exports.get(ctx.session, request.args.get("_jobId", ""))
    rtype = request.args.get("_type", "")
    if job is None or rtype not in job.files:
        raise SearchError("fichier d'export inconnu", status=404, code="not-found")
    entries = [{"fullUrl": f"{origin(ctx)}/{rtype}/{r['id']}", "resource": r} for r in job.files[rtype]]
    bundle = {"resourceType": "Bundle", "type": "collection", "timestamp": instant(job.created), "entry": entries}
    if not entries:
        del bundle["entry"]
    return fhir_response(bundle)


@auth_blueprint.app_errorhandler(404)
def not_found(_exc: Exception) -> Response:
    request_context(request.environ).operation = "not-found"
    return outcome(404, f"ressource ou opération inconnue : {request.path[:120]}", "not-found")


@auth_blueprint.app_errorhandler(405)
def not_allowed(_exc: Exception) -> Response:
    request_context(request.environ).operation = "method-not-allowed"
    return outcome(405, f"méthode {request.method} non prise en charge ici", "not-supported")


def create_app(options: RorOptions, *, service: RorService, issuer: TokenIssuer, tls: bool,
               exports: ExportJobs) -> Flask:
    app = flask_app("ror")
    app.extensions[EXTENSION_KEY] = RorApp(options, service, issuer, tls, exports)
    app.register_blueprint(auth_blueprint)
    app.register_blueprint(fhir_blueprint, url_prefix=options.base)
    return app


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison, `*` matches any current representation."""
    if not if_none_match:
        return False
    wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in wanted or etag.removeprefix("W/") in wanted


_PAIRS_KEY = "socle_bench.ror.query_pairs"


def _pairs() -> list[tuple[str, str]]:
    """The query's parameters, parsed once per request (the view, the format negotiation and the answer all
    read them); a copy, so a caller may change its list."""
    environ = request.environ
    parsed = environ.get(_PAIRS_KEY)
    if parsed is None:
        parsed = environ[_PAIRS_KEY] = codec.parse_query(request.query_string.decode("latin-1"))
    return list(parsed)


def _format_param() -> str:
    """`_format` as sent (its first value), '' when absent or when the query cannot be read (the view answers
    that error itself)."""
    try:
        return next((value for key, value in _pairs() if key == "_format"), "")
    except SearchError:
        return ""


def _basic_auth(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password


#: Deprecated path, kept for one release: use `simulators.ror.factory:SERVICE` (the `ror` entry point).
RorSimulator = ServiceAlias("ror")
