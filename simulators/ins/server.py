"""INSi protocol adapter (`create_app`, the views of the `ins` blueprint; factory: factory.py): `POST /lps` (SOAP 1.2 document/literal), `GET /lps?wsdl` (self-contained WSDL of
the profile, see contract.py) and `GET /lps?xsd=<file>` (the schemas alone), in two profiles.

- port "ins" (8443 in `serve`): mutual TLS, client certificate required, CN INSI-AUTO / INSI-MANU
  (other CN: DESIR_560). Without TLS (tests with `tls=False`) the CN rule cannot apply and is skipped.
- port "ins-cpx" (suggested 8448 for `serve`; ephemeral while not configured; only with TLS on):
  TLS with an optional client certificate, `wsse:Security` must carry a SAML 2.0 assertion
  signed by a bench PKI certificate (CPS or organisation SIGN) and not expired.

Options, `[services.ins]` in the bench configuration:

- `returned_oid` (default `1.2.250.1.213.1.4.8`): OID returned for the NIRs of the CNAM test persons
  and of vendor identities without an explicit OID (`.10` to mimic CI-SIS test data). NIAs keep `.9`.
- `persona_oid` (default `1.2.250.1.213.1.4.10`): OID of the bench personas' NIRs (shared with DMP).
- `prenom_match` (`first` | `any` | `list`, default `first`): given-name rule, see rules.py.
- `idam_allowlist` (list, default empty = any non-empty IDAM): known CNDA authorisation numbers;
  another IDAM gets siram_100 / desir_550.
- `include_prenom` (default false): also return `TIQ/Prenom` (first given name) before ListePrenom,
  as the CNDA reference files do; live responses carry ListePrenom only.
- `fault_style` (`2026` soap:/xml:lang fr | `legacy` S:/xml:lang en) and `response_style`
  (`2026` `<soap:Envelope><env:Body xmlns:S xmlns:env>` | `legacy` `<S:Envelope><S:Body>`).
- `world_seed` (default: the bench seed): seed of the world the base is drawn from.
- `persons` (list of identity objects, see seed.person_from_json) added to every session's base;
  `exclude` (list of person ids) removed from it. Sessions change their own base via the admin API
  (`/_bench/ins/sessions/<session>/persons`).
- `require_vitale_assertion` (default false), `vitale_assertion_max_age_s` (1200),
  `assertion_max_age_s` (3600), `clock_skew_s` (120): CPx assertion rules.
- `environment` (`qualification` | `production`, default qualification): in production, persons
  known to answer differently there (ADRUN ZOE: 01, insi.md §5) leave the base.
- `cache_ttl_s` (2): how long a session's base is cached before re-reading (multi-process).
- `bulk_per_minute` (30): distinct identities one caller may look up per minute before the
  conformance check insi@14 calls it a bulk run; a session overrides it with its own option
  `ins.bulk_per_minute` (admin API, session creation). The simulator answers normally either way and
  records the limit in force on each exchange (`summary.bulk_limit`), which is what the check reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.client import responses as HTTP_REASONS

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from simulators.core.errors import BenchError, SoapError
from simulators.core.flaskapp import flask_app
from simulators.core.refusal import record_refusal
from simulators.core.service import ENVIRON_KEY, RequestContext, request_context
from simulators.core.simulator import ServiceAlias
from simulators.codecs.soap import fault_to_bytes

from simulators.ins import contract
from simulators.ins.auth import CpxAuthenticator, check_org_certificate
from simulators.ins.codec import DECODED_ANSWER, DECODED_REQUEST, build_resultat, check_soap_binding, parse_request, request_summary, validate_request
from simulators.ins.faults import FAULTS, InsiFault, render_fault
from simulators.ins.model import InsiRequest
from simulators.ins.options import InsOptions
from simulators.ins.rules import decide, match_traits, match_vitale, usage_name_suspects
from simulators.ins.store import InsStore

EXTENSION_KEY = "socle_bench.ins"
SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"
CPX_PORT_NAME = "ins-cpx"  # kept here for the importers of the old path (the factory uses it)
SUGGESTED_CPX_PORT = 8448


Reply = tuple[int, bytes]  # status and SOAP body; the content type is always SOAP_CONTENT_TYPE


def fault_reply(fault: InsiFault, ctx: RequestContext | None, message_id: str, style: str) -> Reply:
    spec = fault.spec
    if ctx is not None:
        ctx.summary["fault"] = {"code": spec.erreur_code, "subcode": spec.subcode, "detail": fault.detail}
        record_refusal(ctx.summary, spec.name, f"{spec.erreur_code} : {fault.detail or spec.text}",
                       origin="bench" if spec.name == "bench_interne" else "dui")
    return spec.status, render_fault(spec, message_id, style=style, detail=fault.detail)


def fault_response(fault: InsiFault, ctx: RequestContext | None, message_id: str, style: str) -> Response:
    status, body = fault_reply(fault, ctx, message_id, style)
    return Response(body, status=status, content_type=SOAP_CONTENT_TYPE)


SOAP_LEVEL_FAULTS = ("VersionMismatch", "MustUnderstand", "DataEncodingUnknown")


def soap_level_fault(exc: SoapError, ctx: RequestContext | None) -> Reply:
    """A SOAP 1.1 envelope or an unprocessable mandatory header is refused by the SOAP stack itself, with
    the SOAP 1.2 fault codes (SOAP 1.2 part 1 §5.4.6-7; VersionMismatch carries the Upgrade header), not
    with an INSi siram fault: a client sees the same class of error as from any SOAP 1.2 server."""
    if ctx is not None:
        ctx.summary["fault"] = {"code": exc.fault.code, "subcode": "", "detail": exc.fault.reason}
    return 500, fault_to_bytes(exc.fault, xml_declaration=True)


def make_error_renderer(style: str):
    """Middleware errors (unknown session, body too large, crash, unrendered injected fault) as INSi
    faults, keeping the HTTP status the middleware chose."""
    def render(status: int, message: str, ctx: RequestContext | None) -> tuple[int, list[tuple[str, str]], bytes]:
        spec = FAULTS["bench_interne"] if status >= 500 else FAULTS["bench_requete"]
        message_id = str(ctx.summary.get("message_id", "")) if ctx is not None else ""
        return status, [("Content-Type", SOAP_CONTENT_TYPE)], render_fault(spec, message_id, style=style,
                                                                          detail=message)
    return render


class SessionLimits:
    """The bulk limit in force for a session: its own option, else the service option (cached)."""

    def __init__(self, default: int, session_options: Callable[[str], dict] | None = None,
                 ttl_s: float = 5.0) -> None:
        self.default = default
        self.session_options = session_options
        self.ttl_s = ttl_s
        self._cache: dict[str, tuple[int, float]] = {}

    def bulk_per_minute(self, session: str) -> int:
        cached = self._cache.get(session)
        now = time.monotonic()
        if cached is not None and now - cached[1] < self.ttl_s:
            return cached[0]
        value = self.default
        if self.session_options is not None:
            try:
                value = int(self.session_options(session).get("ins.bulk_per_minute", self.default))
            except (ValueError, TypeError, BenchError):
                value = self.default
        self._cache[session] = (value, now)
        return value


@dataclass(frozen=True)
class InsApp:
    """What the views of one INSi app read (`current_app.extensions["socle_bench.ins"]`)."""

    options: InsOptions
    store: InsStore
    profile: str = "mtls"  # "mtls" or "cpx" (then `cpx` verifies the assertions)
    enforce_cn: bool = True
    cpx: CpxAuthenticator | None = None
    limits: SessionLimits | None = None

    @property
    def allowlist(self) -> frozenset[str]:
        return frozenset(self.options.idam_allowlist)


blueprint = Blueprint("ins", __name__)


def _state() -> InsApp:
    return current_app.extensions[EXTENSION_KEY]


def answer(state: InsApp, ctx: RequestContext, req: InsiRequest) -> Reply:
    """Match against the session's base and build RESULTAT (or the person's forced fault)."""
    options = state.options
    base = state.store.base(ctx.session)
    if req.traits is not None:
        matches = match_traits(base.index, req.traits, options.prenom_match)
    else:
        matches = match_vitale(base.persons, req.vitale)  # type: ignore[arg-type]
    result = decide(matches)
    ctx.summary["candidates"] = list(result.candidates)
    if result.fault:
        raise InsiFault(result.fault)
    ctx.summary["cr"] = result.cr
    if result.cr == "01" and req.traits is not None:
        suspects = usage_name_suspects(base.persons, req.traits)
        if suspects:
            ctx.summary["nom_usage"] = suspects
    if result.person is not None and result.person.ins is not None:
        ctx.summary["ins"] = {"matricule": result.person.ins.value, "oid": result.person.ins.oid,
                              "history": len(result.person.history)}
    return 200, build_resultat(result, include_prenom=options.include_prenom, style=options.response_style)


def lookup(state: InsApp, ctx: RequestContext, content_type: str | None) -> Reply:
    """One parse, then: injected fault, authentication, the service's own checks, the answer."""
    message_id = ""
    fault_style = state.options.fault_style
    limits = state.limits or SessionLimits(state.options.bulk_per_minute)
    try:
        req, env = parse_request(ctx.body, content_type)
        ctx.decoded[DECODED_REQUEST] = req  # the live checks read this rather than parse the body again
        message_id = req.message_id
        check_soap_binding(env, content_type)
        ctx.operation = req.operation
        ctx.summary.update(request_summary(req, env), profile=state.profile,
                           bulk_limit=limits.bulk_per_minute(ctx.session))
        decision = ctx.fault(req.operation)
        if decision.action in ("fault", "error"):
            ctx.fault_rendered = True
            injected = decision.fault if decision.action == "fault" else ""
            raise InsiFault(injected if injected in FAULTS else "desir_1020")
        if state.profile == "cpx":
            ctx.caller = state.cpx.authenticate(req)  # type: ignore[union-attr]
        elif state.enforce_cn:
            check_org_certificate(ctx.caller)
        validate_request(req, idam_allowlist=state.allowlist)
        status, body = answer(state, ctx, req)
        # the CR this very answer carries, for the live checks (reading.read uses it for these bytes only)
        ctx.decoded[DECODED_ANSWER] = (body, ctx.summary["cr"])
        return status, body
    except InsiFault as fault:
        return fault_reply(fault, ctx, message_id, fault_style)
    except SoapError as exc:
        ctx.summary["error"] = exc.reason
        if exc.fault.code in SOAP_LEVEL_FAULTS:  # the SOAP stack answers before the INSi application
            return soap_level_fault(exc, ctx)
        return fault_reply(InsiFault("bench_requete", exc.message[:300]), ctx, message_id, fault_style)


@blueprint.route("/lps", methods=["GET", "POST"])
def lps() -> Response:
    state = _state()
    fault_style = state.options.fault_style
    ctx = request_context(request.environ)
    if request.method == "POST":
        status, body = lookup(state, ctx, request.content_type)
        return Response(body, status=status, content_type=SOAP_CONTENT_TYPE)
    ctx.operation = "wsdl"
    if "xsd" in request.args:
        try:
            return Response(contract.schema(request.args["xsd"]), content_type="text/xml;charset=UTF-8")
        except KeyError:
            return fault_response(InsiFault("bench_requete", "schéma inconnu"), ctx, "", fault_style)
    if "wsdl" not in {k.lower() for k in request.args}:
        return fault_response(InsiFault("bench_requete", "POST SOAP 1.2 attendu (ou GET ?wsdl)"),
                              ctx, "", fault_style)
    address = request.host_url.rstrip("/") + ctx.base_path + "/lps"
    return Response(contract.served_wsdl(state.profile, address), content_type="text/xml;charset=UTF-8")


@blueprint.app_errorhandler(404)
@blueprint.app_errorhandler(405)
def not_here(exc: HTTPException) -> Response:
    ctx = request_context(request.environ)
    ctx.operation = "unknown"
    detail = f"ressource inconnue : {request.method} {request.path} (service sur /lps)"
    response = fault_response(InsiFault("bench_requete", detail), ctx, "", _state().options.fault_style)
    response.status_code = exc.code or 404
    return response


class LookupFastPath:
    """WSGI middleware inside the Flask app (`app.wsgi_app`): `POST /lps` behind the journaling middleware,
    i.e. every lookup, goes straight to `lookup`, without Flask's request context, URL routing and
    Response object, which cost a fifth of the CPU of a lookup (profile in docs/performance-notes.md); the answer is
    the same (status, SOAP content type, body). Anything else (WSDL, schemas, unknown paths) goes to Flask."""

    def __init__(self, wsgi_app: Callable, state: InsApp) -> None:
        self.wsgi_app = wsgi_app
        self.state = state

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        ctx = environ.get(ENVIRON_KEY)
        if ctx is None or environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != "/lps":
            return self.wsgi_app(environ, start_response)
        status, body = lookup(self.state, ctx, environ.get("CONTENT_TYPE"))
        start_response(f"{status} {HTTP_REASONS.get(status, 'Status')}",
                       [("Content-Type", SOAP_CONTENT_TYPE), ("Content-Length", str(len(body)))])
        return [body]


def create_app(options: InsOptions, *, store: InsStore, profile: str = "mtls", enforce_cn: bool = True,
               cpx: CpxAuthenticator | None = None, limits: SessionLimits | None = None) -> Flask:
    """The protocol adapter; `profile` is "mtls" or "cpx" (then `cpx` verifies the assertions)."""
    app = flask_app(f"ins-{profile}")
    state = InsApp(options, store, profile, enforce_cn, cpx, limits or SessionLimits(options.bulk_per_minute))
    app.extensions[EXTENSION_KEY] = state
    app.register_blueprint(blueprint)
    app.wsgi_app = LookupFastPath(app.wsgi_app, state)  # type: ignore[method-assign]
    return app


#: Deprecated path, kept for one release: use `simulators.ins.factory:SERVICE` (the `ins` entry point).
InsSimulator = ServiceAlias("ins")
