"""The DMP protocol adapter: one Flask app with the four LPS v2 endpoints (factory: factory.py).

Order of work for every request: unpack MTOM/XOP, parse the SOAP 1.2 envelope, dispatch on the
WS-Addressing Action (it must belong to the endpoint called), let fault injection speak, verify the
VIHF, then run the transaction. Envelope and VIHF problems are SOAP Faults; XDS refusals are
RegistryResponse Failures inside a normal response; patient refusals are HL7v3 AE acknowledgements.

Service options (`[services.dmp]`): world_seed, repository_uid, max_results, validate_cda,
require_submission_signature, error_codes, error_contexts (errors.json key -> codeContext), age_majority,
minors_management, cumul_invisible_patient_masque_ps, authorization_validity_days, break_glass_direct_only,
centre_15_professions, author_sees_own_documents, today, valuesets_dir, vihf_max_age_s,
vihf_clock_skew_s, require_vihf_signature, seed_documents, max_document_bytes, max_parts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from lxml import etree

from simulators.core.errors import ProtocolError, SoapError
from simulators.core.exchange import Caller as ExchangeCaller
from simulators.core.flaskapp import flask_app
from simulators.codecs.mtom import build_mtom, split_soap_request
from simulators.core.service import RequestContext, request_context
from simulators.core.simulator import ServiceAlias
from simulators.core.refusal import record_refusal
from simulators.codecs.soap import (
    SOAP12_CONTENT_TYPE, SOAP12_MEDIA_TYPE, Addressing, SoapFault, build_envelope, check_media_type,
    check_must_understand, fault_to_bytes,
    parse_envelope, soap12_content_type,
)
from simulators.dmp import feed, fragments, patients, queries, update
from simulators.dmp.codec import habilitations as hab
from simulators.dmp.codec import hl7v3, wsdl, xds
from simulators.codecs.ebrim import LCM, parse_submit_objects, q
from simulators.dmp.context import Services, load_caller
from simulators.dmp.model import BASE_PATH
from simulators.dmp.vihf import WSSE_NS, VihfError, VihfVerifier

ENDPOINTS = ("patients", "habilitations", "registry", "repository")


@dataclass(frozen=True)
class Route:
    endpoint: str
    operation: str  # journal operation name
    response_action: str


ROUTES: dict[str, Route] = {
    "urn:hl7-org:v3:PRPA_IN201307UV02": Route("patients", "TD0.2", "urn:hl7-org:v3:PRPA_IN201308UV02"),
    "urn:hl7-org:v3:PRPA_IN201305UV02": Route("patients", "TD0.5", "urn:hl7-org:v3:PRPA_IN201306UV02"),
    "urn:hl7-org:v3:PRPA_IN201311UV02": Route("patients", "TD1.1", "urn:hl7-org:v3:PRPA_IN201312UV02"),
    "urn:hl7-org:v3:PRPA_IN201314UV02": Route("patients", "TD1.x", "urn:hl7-org:v3:PRPA_IN201315UV02"),
    hab.ACTION_PREFIX + hab.SET: Route("habilitations", "TD0.3", hab.ACTION_PREFIX + hab.SET + "Response"),
    hab.ACTION_PREFIX + hab.LIST: Route("habilitations", "TD0.3-list", hab.ACTION_PREFIX + hab.LIST + "Response"),
    xds.ACTION_ITI18: Route("registry", "ITI-18", "urn:ihe:iti:2007:RegistryStoredQueryResponse"),
    xds.ACTION_ITI57: Route("registry", "ITI-57", "urn:ihe:iti:2010:UpdateDocumentSetResponse"),
    xds.ACTION_ITI41: Route("repository", "ITI-41", "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse"),
    xds.ACTION_ITI43: Route("repository", "ITI-43", "urn:ihe:iti:2007:RetrieveDocumentSetResponse"),
}

FAULT_CATALOGUE = {
    "vihf_refuse": "Fault SOAP Sender wsse:FailedAuthentication (VIHF refusé)",
    "dmp_indisponible": "Fault SOAP Receiver : service DMP indisponible",
    "registry_error": "RegistryResponse Failure XDSRegistryError (transactions XDS) / acquittement AE (HL7v3)",
    "too_many_results": "RegistryResponse Failure XDSTooManyResults",
    "hl7_ae": "Acquittement HL7v3 AE (transactions patient)",
}


def soap_fault_response(fault: SoapFault, status: int | None = None) -> Response:
    return Response(fault_to_bytes(fault), status=status or fault.http_status(), content_type=SOAP12_CONTENT_TYPE)


def render_error(status: int, message: str, _ctx: RequestContext | None) -> tuple[int, list[tuple[str, str]], bytes]:
    """Middleware errors (unknown session, too large, crash, injected error) as SOAP 1.2 faults."""
    code = "Sender" if 400 <= status < 500 else "Receiver"
    body = fault_to_bytes(SoapFault(code=code, reason=message))
    return status, [("Content-Type", SOAP12_CONTENT_TYPE)], body


def _sender(text: str, reason: str, subcode: str = "") -> SoapError:
    sub = [(WSSE_NS, subcode)] if subcode else []
    return SoapError.sender(text, reason=reason, subcodes=sub)


class DmpApp:
    """Holds the services and renders the four endpoints."""

    def __init__(self, services: Services, verifier: VihfVerifier) -> None:
        self.services = services
        self.verifier = verifier

    def handle(self, endpoint: str) -> Response:
        ctx = request_context(request.environ)
        ctx.summary["endpoint"] = endpoint
        ctx.operation = endpoint  # until the WS-Addressing action names the transaction
        try:
            return self._handle(ctx, endpoint)
        except SoapError as exc:
            ctx.summary.setdefault("fault", exc.message)
            ctx.summary.setdefault("fault_reason", exc.reason)
            record_refusal(ctx.summary, exc.reason, exc.message)
            return soap_fault_response(exc.fault)
        except ProtocolError as exc:
            ctx.summary.setdefault("fault", exc.message)
            ctx.summary.setdefault("fault_reason", exc.reason)
            record_refusal(ctx.summary, exc.reason, exc.message)
            return soap_fault_response(SoapFault(code="Sender", reason=exc.message))

    def _handle(self, ctx: RequestContext, endpoint: str) -> Response:
        if endpoint not in ENDPOINTS:
            raise _sender(f"Service {endpoint!r} inconnu (attendu : {', '.join(ENDPOINTS)}).", "unknown_endpoint")
        content_type = request.headers.get("Content-Type", "")
        ctx.summary["mtom"] = content_type.lower().startswith("multipart/related")
        opts = self.services.options
        root_xml, attachments = split_soap_request(ctx.body, content_type, max_parts=opts.max_parts,
                                                   max_part_bytes=opts.max_document_bytes)
        env = parse_envelope(root_xml, content_type)
        ctx.decoded[xds.DECODED_REQUEST] = (env, attachments)  # the live checks read it rather than parse again
        check_media_type(content_type, (SOAP12_MEDIA_TYPE, "multipart/related"))  # after VersionMismatch
        a = env.addressing
        ctx.summary["wsa"] = {"action": env.action, "message_id": a.message_id, "to": a.to,
                              "action_must_understand": a.must_understand}
        route = ROUTES.get(env.action or "")
        if route is None:
            raise SoapError.sender(f"Action WS-Addressing {env.action!r} inconnue du DMP.", reason="unknown_action",
                                   subcodes=[("http://www.w3.org/2005/08/addressing", "ActionNotSupported")])
        if route.endpoint != endpoint:
            raise SoapError.sender(f"Action {env.action} non servie par /{endpoint} (attendu /{route.endpoint}).",
                                   reason="wrong_endpoint",
                                   subcodes=[("http://www.w3.org/2005/08/addressing", "ActionNotSupported")])
        ctx.operation = route.operation
        decision = ctx.fault(route.operation)
        if decision.action in ("fault", "error"):
            ctx.fault_rendered = True
            return self._injected(decision.fault if decision.action == "fault" else "dmp_indisponible", route, a)
        check_must_understand(env, [(WSSE_NS, "Security")])
        security = env.find_header((WSSE_NS, "Security"))
        tls_subject = ctx.caller.subject if ctx.caller.kind == "tls" else ""
        try:
            vihf = self.verifier.verify(security, tls_subject=tls_subject)
        except VihfError as exc:
            ctx.summary["vihf_error"] = {"reason": exc.reason, "attribute": exc.attribute, "message": exc.message}
            raise _sender(exc.message, exc.reason, "FailedAuthentication" if "signature" in exc.reason or "cert" in exc.reason
                          else "InvalidSecurityToken") from None
        ctx.summary["vihf"] = vihf.summary()
        tls = ctx.caller if ctx.caller.kind == "tls" else None  # kept: the handshake certificate is judged too
        ctx.caller = ExchangeCaller(kind="saml", subject=vihf.subject_name, issuer=vihf.issuer,
                                    attributes={**vihf.summary(), "tls_subject": tls_subject,
                                                "tls_issuer": tls.issuer if tls else "",
                                                "tls_issuer_cn": tls.attributes.get("issuer_cn", "") if tls else "",
                                                "tls_not_before": tls.attributes.get("not_before", "") if tls else "",
                                                "tls_not_after": tls.attributes.get("not_after", "") if tls else ""})
        if env.payload is None:
            raise _sender("Body SOAP vide.", "empty_body")
        caller = load_caller(self.services, ctx.session, vihf)
        ctx.summary["ins"] = vihf.patient_ins
        objects: list[bytes] = []  # ITI-18: the serialised registry objects spliced into the response
        body, attachments_out, action = self._dispatch(route, env.payload, attachments, caller, ctx, objects)
        return self._respond(body, attachments_out, action, a, mtom=route.operation == "ITI-43", objects=objects)

    def _dispatch(self, route: Route, payload: etree._Element, attachments: dict[str, Any], caller: Any,
                  ctx: RequestContext, objects_out: list[bytes]) -> tuple[etree._Element, list[tuple[str, str, bytes]], str]:
        s = self.services
        op = route.operation
        if op in ("TD0.2", "TD0.5", "TD1.1", "TD1.x"):
            outcome = patients.handle_patient_message(hl7v3.parse_patient_request(payload), caller, s)
            ctx.summary.update(outcome.summary)
            if outcome.summary.get("ack") == "AE":  # HL7v3 business refusal (French acknowledgementDetail)
                record_refusal(ctx.summary, "hl7_ae", str(outcome.summary.get("error", "")))
            return outcome.response, [], outcome.action
        if op.startswith("TD0.3"):
            outcome = patients.handle_habilitation(hab.parse_request(payload), caller, s)
            ctx.summary.update(outcome.summary)
            return outcome.response, [], outcome.action
        try:
            if op == "ITI-41":
                sub = xds.parse_provide_and_register(payload, attachments)
                ctx.decoded[xds.DECODED_SUBMISSION] = sub  # registering renames symbolic ids only (same verdicts)
                ctx.summary.update(feed.provide_and_register(sub, caller, s), outcome="Success")
                return xds.registry_response(), [], route.response_action
            if op == "ITI-57":
                if payload.tag != q(LCM, "SubmitObjectsRequest"):
                    raise ProtocolError(f"ITI-57 : lcm:SubmitObjectsRequest attendu, reçu {payload.tag}.")
                ctx.summary.update(update.update_document_set(parse_submit_objects(payload), caller, s), outcome="Success")
                return xds.registry_response(), [], route.response_action
            if op == "ITI-18":
                query = xds.parse_adhoc_query(payload)
                ctx.summary["query"] = query.name
                objects, warnings, summary = queries.stored_query(query, caller, s)
                ctx.summary.update(summary, outcome="Success")
                objects_out.extend(objects)
                return fragments.response_objects(warnings), [], route.response_action
            requests = xds.parse_retrieve_request(payload)
            docs, errors, summary = queries.retrieve(requests, caller, s)
            ctx.summary.update(summary, outcome="Success" if not errors else ("PartialSuccess" if docs else "Failure"))
            body, out = xds.retrieve_response(docs, errors)
            return body, out, route.response_action
        except xds.RegistryFailure as failure:
            ctx.summary.update(outcome="Failure", errors=[{"code": e.code, "context": e.context} for e in failure.errors])
            first = failure.errors[0] if failure.errors else None
            record_refusal(ctx.summary, first.code if first else "XDSRegistryError",
                           "; ".join(f"{e.code} : {e.context}" for e in failure.errors) or failure.message)
            return self._failure(op, failure.errors), [], route.response_action

    @staticmethod
    def _failure(op: str, errors: list[xds.RegistryErrorItem]) -> etree._Element:
        if op == "ITI-18":
            return xds.adhoc_query_response([], errors)
        if op == "ITI-43":
            return xds.retrieve_response([], errors)[0]
        return xds.registry_response(errors)

    def _injected(self, name: str, route: Route, a: Addressing) -> Response:
        if name == "vihf_refuse":
            return soap_fault_response(_sender("VIHF refusé (défaut injecté).", "injected", "FailedAuthentication").fault)
        if name in ("registry_error", "too_many_results") and route.operation.startswith("ITI"):
            code = "XDSTooManyResults" if name == "too_many_results" else "XDSRegistryError"
            item = [xds.RegistryErrorItem(code, "Erreur du registre DMP (défaut injecté).")]
            return self._respond(self._failure(route.operation, item), [], route.response_action, a,
                                 mtom=route.operation == "ITI-43")
        if name in ("hl7_ae", "registry_error") and route.endpoint == "patients":
            ack = hl7v3.build_ack(hl7v3.REJECT_ACK, "", "AE", ["Erreur du DMP (défaut injecté)."])
            return self._respond(ack, [], f"urn:hl7-org:v3:{hl7v3.REJECT_ACK}", a, mtom=False)
        return soap_fault_response(SoapFault(code="Receiver", reason="Service DMP indisponible (défaut injecté)."), 503)

    @staticmethod
    def _respond(body: etree._Element, attachments: list[tuple[str, str, bytes]], action: str, a: Addressing,
                 *, mtom: bool, objects: list[bytes] | None = None) -> Response:
        addressing = Addressing(action=action, message_id=f"urn:uuid:{uuid.uuid4()}", relates_to=a.message_id,
                                to="http://www.w3.org/2005/08/addressing/anonymous")
        envelope = build_envelope(body, addressing=addressing, wsa_prefix=None)
        if objects:
            envelope = fragments.splice(envelope, objects)
        if mtom or attachments:
            data, content_type = build_mtom(envelope, attachments, action=action)
            return Response(data, status=200, content_type=content_type)
        return Response(envelope, status=200, content_type=soap12_content_type(action))


EXTENSION_KEY = "socle_bench.dmp"
blueprint = Blueprint("dmp", __name__)


def _dmp() -> DmpApp:
    return current_app.extensions[EXTENSION_KEY]


@blueprint.post(f"{BASE_PATH}/<endpoint>")
def endpoint(endpoint: str) -> Response:
    return _dmp().handle(endpoint)


@blueprint.post("/si-dmp-server/v1/services/<endpoint>")
def endpoint_v1(endpoint: str) -> Response:
    return _dmp().handle(endpoint)


@blueprint.get(f"{BASE_PATH}/<endpoint>")
def wsdl_or_hint(endpoint: str) -> Response:
    ctx = request_context(request.environ)
    if "wsdl" in {k.lower() for k in request.args} and endpoint in wsdl.endpoints():
        ctx.operation = "wsdl"
        address = request.host_url.rstrip("/") + ctx.base_path + f"{BASE_PATH}/{endpoint}"
        return Response(wsdl.build_wsdl(endpoint, address), content_type="text/xml;charset=UTF-8")
    ctx.operation = "GET"
    return Response(fault_to_bytes(SoapFault(code="Sender", reason="Le DMP attend des requêtes SOAP 1.2 en POST "
                                             "(la description du service est à ?wsdl).")),
                    status=405, content_type=SOAP12_CONTENT_TYPE, headers={"Allow": "POST"})


def create_app(services: Services, verifier: VihfVerifier) -> Flask:
    """Flask app of the four endpoints (also under /v1 paths some clients still use)."""
    app = flask_app("dmp")
    app.extensions[EXTENSION_KEY] = DmpApp(services, verifier)
    app.register_blueprint(blueprint)
    return app


#: Deprecated path, kept for one release: use `simulators.dmp.factory:SERVICE` (the `dmp` entry point).
DmpSimulator = ServiceAlias("dmp")
