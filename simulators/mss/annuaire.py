"""Annuaire Santé FHIR API v2 mock: read-only search of Practitioner, PractitionerRole, Organization.

Fed from the operator's mailbox registry of the caller's session, so the directory and the operator
always agree. Behaviour follows mss.md §5: `ESANTE-API-KEY` (401 without), GET or POST `_search`,
Bundle searchset of 50 per page with `next` links, OperationOutcome on errors, unknown parameters
refused as the gateway does ("Parameter ... not found").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, json, request

from simulators.core.refusal import refuse_in

from simulators.core.service import RequestContext, request_context

from .annuaire_fhir import Directory, build_directory, operation_outcome
from .model import Mailbox

FHIR_JSON = "application/fhir+json;charset=utf-8"
PAGE_SIZE = 50
RESOURCES = ("Practitioner", "PractitionerRole", "Organization")
COMMON = {"_id", "identifier", "mailbox-mss", "mailbox-mss-type", "active", "_lastUpdated", "_count", "_offset",
          "_include", "_revinclude", "_format"}
ALLOWED = {"Practitioner": COMMON | {"name", "family", "given"},
           "PractitionerRole": COMMON | {"organization", "practitioner"},
           "Organization": COMMON | {"name", "type"}}
MailboxSource = Callable[[str], dict[str, Mailbox]]


def _fhir(data: dict[str, Any], status: int = 200) -> Response:
    if status >= 400 and data.get("resourceType") == "OperationOutcome":
        issue = (data.get("issue") or [{}])[0]
        refuse_in(request.environ, f"fhir.{issue.get('code', 'processing')}", str(issue.get("diagnostics", "")))
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/fhir+json",
                    content_type=FHIR_JSON)


def fhir_error(status: int, message: str, _ctx: RequestContext | None) -> tuple[int, list[tuple[str, str]], bytes]:
    body = json.dumps(operation_outcome("exception" if status >= 500 else "processing", message), ensure_ascii=False)
    return status, [("Content-Type", FHIR_JSON)], body.encode("utf-8")


def _string_match(values: list[str], wanted: str, modifier: str) -> bool:
    wanted = wanted.lower()
    for value in values:
        low = value.lower()
        if (modifier == "exact" and value == wanted) or (modifier == "contains" and wanted in low) or \
                (modifier == "" and low.startswith(wanted)):
            return True
    return False


def _token_match(identifiers: list[dict[str, Any]], wanted: str) -> bool:
    system, _, value = wanted.rpartition("|") if "|" in wanted else ("", "", wanted)
    return any(i.get("value") == value and (not system or i.get("system") == system) for i in identifiers)


def _matches(directory: Directory, rtype: str, res: dict[str, Any], key: str, value: str) -> bool:
    name, _, modifier = key.partition(":")
    boxes = directory.boxes[(rtype, res["id"])]
    alternatives = value.split(",")
    if name == "_id":
        return res["id"] in alternatives
    if name == "identifier":
        return any(_token_match(res.get("identifier", []), v) for v in alternatives)
    if name == "mailbox-mss":
        return any(_string_match([b.address for b in boxes], v, modifier) for v in alternatives)
    if name == "mailbox-mss-type":
        return any(b.kind in alternatives for b in boxes)
    if name == "active":
        return str(res.get("active", True)).lower() == value.lower()
    if name in ("name", "family", "given"):
        if rtype == "Organization":
            return any(_string_match([res.get("name", "")], v, modifier) for v in alternatives)
        names = res.get("name", [{}])[0]
        fields = {"family": [names.get("family", "")], "given": names.get("given", [])}
        pool = fields.get(name, fields["family"] + fields["given"])
        return any(_string_match(pool, v, modifier) for v in alternatives)
    if name in ("organization", "practitioner"):
        ref = res.get(name, {}).get("reference", "")
        return any(ref == v or ref.endswith("/" + v) for v in alternatives)
    if name == "_lastUpdated":
        prefix, date = (value[:2], value[2:]) if value[:2] in ("gt", "ge", "lt", "le", "eq") else ("eq", value)
        stamp = res["meta"]["lastUpdated"][: len(date)]
        return {"gt": stamp > date, "ge": stamp >= date, "lt": stamp < date, "le": stamp <= date,
                "eq": stamp == date}[prefix]
    if name == "type":
        return False  # the bench world has no TRE_R02 sector on organisations: nothing matches a filter
    return True


def create_app(mailboxes: MailboxSource, *, api_keys: tuple[str, ...] = ()) -> Flask:
    app = Flask("annuaire")
    cache: dict[tuple[str, int], Directory] = {}

    def directory(session: str) -> Directory:
        boxes = mailboxes(session)
        key = (session, hash(tuple(sorted((a, id(b)) for a, b in boxes.items()))))
        if key not in cache:
            cache.clear()
            cache[key] = build_directory(boxes.values())
        return cache[key]

    def guard(ctx: RequestContext, operation: str) -> Response | None:
        ctx.operation = operation
        key = request.headers.get("ESANTE-API-KEY", "")
        ctx.summary["api_key"] = bool(key)
        if not key or (api_keys and key not in api_keys):
            return _fhir(operation_outcome("security", "Clé d'API ESANTE-API-KEY absente ou invalide"), 401)
        decision = ctx.fault()
        if decision.action in ("fault", "error"):
            ctx.fault_rendered = True
            return _fhir(operation_outcome("transient", "Service Annuaire Santé indisponible (panne injectée)"), 503)
        return None

    @app.route("/fhir/v2/<rtype>", methods=["GET"])
    @app.route("/fhir/v2/<rtype>/_search", methods=["POST", "GET"])
    def search(rtype: str):  # noqa: ANN202
        ctx = request_context(request.environ)
        refused = guard(ctx, f"{rtype}.search")
        if refused is not None:
            return refused
        if rtype not in RESOURCES:
            return _fhir(operation_outcome("not-supported", f"Type de ressource non pris en charge : {rtype}"), 404)
        params = list(request.args.items(multi=True)) + (list(request.form.items(multi=True))
                                                         if request.method == "POST" else [])
        for key, _ in params:
            if key.partition(":")[0] not in ALLOWED[rtype]:
                return _fhir(operation_outcome("not-supported", f"Parameter {key.partition(':')[0]} not found"), 400)
        ctx.summary["params"] = sorted({k for k, _ in params})
        d = directory(ctx.session)
        hits = [r for r in d.resources[rtype].values()
                if all(_matches(d, rtype, r, k, v) for k, v in params if not k.startswith("_") or k in ("_id", "_lastUpdated"))]
        args = dict(params)
        count = min(int(args.get("_count", PAGE_SIZE)) if str(args.get("_count", "")).isdigit() else PAGE_SIZE, PAGE_SIZE)
        offset = int(args.get("_offset", 0)) if str(args.get("_offset", "0")).isdigit() else 0
        page = hits[offset: offset + count]
        base = request.host_url.rstrip("/") + ctx.base_path + f"/fhir/v2/{rtype}"
        kept = [(k, v) for k, v in params if k not in ("_offset",)]
        links = [{"relation": "self", "url": base + "?" + urlencode(kept + [("_offset", offset)])}]
        if offset + count < len(hits):
            links.append({"relation": "next", "url": base + "?" + urlencode(kept + [("_offset", offset + count)])})
        entries = [{"fullUrl": f"{base}/{r['id']}", "resource": r, "search": {"mode": "match"}} for r in page]
        entries += _includes(d, page, [v for k, v in params if k == "_include"], [v for k, v in params if k == "_revinclude"])
        ctx.summary.update(total=len(hits), returned=len(page), offset=offset)
        return _fhir({"resourceType": "Bundle", "type": "searchset", "total": len(hits), "link": links,
                      "entry": entries})

    @app.get("/fhir/v2/<rtype>/<rid>")
    def read(rtype: str, rid: str):  # noqa: ANN202
        ctx = request_context(request.environ)
        refused = guard(ctx, f"{rtype}.read")
        if refused is not None:
            return refused
        resource = directory(ctx.session).resources.get(rtype, {}).get(rid)
        if resource is None:
            return _fhir(operation_outcome("not-found", f"{rtype}/{rid} introuvable"), 404)
        return _fhir(resource)

    @app.get("/fhir/v2/metadata")
    def metadata():  # noqa: ANN202
        request_context(request.environ).operation = "metadata"
        return _fhir({"resourceType": "CapabilityStatement", "status": "active", "kind": "instance",
                      "fhirVersion": "4.0.1", "format": ["json"], "rest": [{"mode": "server", "resource": [
                          {"type": t, "interaction": [{"code": "read"}, {"code": "search-type"}]} for t in RESOURCES]}]})

    @app.route("/fhir/v2/<path:_rest>", methods=["PUT", "DELETE", "PATCH"])
    def forbidden(_rest: str):  # noqa: ANN202
        request_context(request.environ).operation = "write"
        return _fhir(operation_outcome("forbidden", "API en lecture seule : PUT/DELETE/PATCH interdits"), 405)

    return app


def _includes(d: Directory, page: list[dict[str, Any]], includes: list[str], revincludes: list[str]) -> list[dict[str, Any]]:
    extra: dict[str, dict[str, Any]] = {}
    for res in page:
        for inc in includes:
            for field in ("organization", "practitioner"):
                if inc in ("*", f"PractitionerRole:{field}") and field in res:
                    rtype, _, rid = res[field]["reference"].partition("/")
                    target = d.resources[rtype].get(rid)
                    if target is not None:
                        extra[f"{rtype}/{rid}"] = target
        for rev in revincludes:
            field = rev.partition(":")[2]
            for role in d.resources["PractitionerRole"].values():
                if role.get(field, {}).get("reference") == f"{res['resourceType']}/{res['id']}":
                    extra[f"PractitionerRole/{role['id']}"] = role
    return [{"fullUrl": key, "resource": r, "search": {"mode": "include"}} for key, r in extra.items()]
