"""Sample exchanges for the integration guides: real requests and answers recorded from the reference DUI.

A sample is one exchange of the journal, cut to what a vendor reads (bodies shortened around large binary
parts, volatile headers dropped), stored as JSON under ``simulators/examples/data/<service>/<name>.json``
and shown three ways: in ``docs/<service>.md`` (between ``<!-- sample: service/name -->`` markers), by
the admin API (``/_bench/examples/<service>/<name>``) and as curl commands. ``python -m
simulators.examples`` records them anew; ``tests/docs`` records them again and compares their *shape*
(status, element and key paths, header names), so a guide cannot drift from what the bench does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from collections.abc import Iterable

from lxml import etree

from simulators.codecs.xmlsafe import parse_xml

DATA = "data"
INDEX = "index.json"  # every sample, and what could not be recorded
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,80}$")


@dataclass(frozen=True)
class Sample:
    service: str
    name: str
    title: str
    protocol: str
    operation: str
    method: str
    path: str
    request_headers: dict[str, str]
    request_body: str
    status: int
    response_headers: dict[str, str]
    response_body: str
    note: str = ""
    origin: str = ""  # scheme://host:port the request went to (documented default ports)
    client_cert: str = ""  # name of the bench PKI certificate presented in mutual TLS ("" when none)
    checks: list[str] = field(default_factory=list)  # live checks failed on this exchange (fail/error)
    paths: dict[str, list[str]] = field(default_factory=dict)  # body shapes taken from the full bodies

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sample:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def as_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _root() -> Any:
    return resources.files(__package__).joinpath(DATA)


def index() -> dict[str, Any]:
    """index.json: the samples in recording order and what could not be recorded ({} before any recording)."""
    path = _root().joinpath(INDEX)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"samples": [], "missing": {}}


def services() -> list[str]:
    return sorted(p.name for p in _root().iterdir() if p.is_dir() and NAME.match(p.name))


def samples(service: str) -> list[Sample]:
    """A service's samples in recording order (the order of the guides)."""
    if not NAME.match(service) or not _root().joinpath(service).is_dir():
        return []
    order = {key: n for n, key in enumerate(index().get("samples", []))}
    files = [p for p in _root().joinpath(service).iterdir() if p.name.endswith(".json")]
    files.sort(key=lambda p: (order.get(f"{service}/{p.name[:-5]}", len(order)), p.name))
    return [Sample.from_json(json.loads(p.read_text(encoding="utf-8"))) for p in files]


def sample(service: str, name: str) -> Sample | None:
    if not (NAME.match(service) and NAME.match(name)):
        return None
    path = _root().joinpath(service, f"{name}.json")
    return Sample.from_json(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None


PKI_DIR = ".socle-bench/pki"
# headers curl computes itself, or that say nothing about the request a vendor reproduces
NOT_REPLAYED = {"host", "content-length", "connection", "accept-encoding", "user-agent", "keep-alive", "x-request-id"}


def client_certificate(service: str, operation: str, request_text: str, caller_kind: str = "") -> str:
    """The default-PKI certificate a request of this kind presents in mutual TLS ("" when none), by the
    service's documented profile: INSi certificate profile INSI-AUTO (not the CPx one, whose SAML assertion is in
    the body), DMP the structure's AUTH_CLI, ROR profiles 1-5 at the token endpoint."""
    if service == "ins":
        cpx = caller_kind == "saml" or re.search(r"<\w+:Assertion\b", request_text)
        return "" if cpx else "insi-auto"
    if service == "dmp":
        return "org-auth-cli"
    if service == "ror" and operation == "token":
        return "org-auth-cli" if re.search(r"client_id=bench-profil-[1-5]", request_text) else ""
    return ""


def curl(sample: Sample, base_url: str = "", *, body_from: str = "") -> str:
    """The request as a curl command (HTTP samples); certificates as the bench's PKI lays them out.

    The body is read from `request.body`, or piped from `body_from` (the admin API's raw request of a journaled
    exchange) so the command runs as copied."""
    if sample.protocol != "http":
        return ""
    base_url = base_url or sample.origin or "https://localhost:8443"
    parts = ["curl", "--cacert", f"{PKI_DIR}/trust.pem"]
    if sample.client_cert:
        parts += ["--cert", f"{PKI_DIR}/certs/{sample.client_cert}.chain.pem",
                  "--key", f"{PKI_DIR}/certs/{sample.client_cert}.key"]
    parts += ["-X", sample.method]
    for name, value in sample.request_headers.items():
        if name.lower() not in NOT_REPLAYED:
            parts += ["-H", f"{name}: {value}"]
    if sample.request_body:
        parts += ["--data-binary", "@-" if body_from else "@request.body"]
    parts.append(base_url.rstrip("/") + sample.path)
    command = " ".join(_quote(p) for p in parts)
    if sample.request_body and body_from:
        command = f"curl -s {_quote(body_from)} | {command}"
    return command


def exchange_sample(exchange: Any, origin: str) -> Sample:
    """A journaled exchange (simulators.core.exchange.Exchange) as a sample, bodies whole: what the dashboard's
    "copier en curl" reproduces."""
    text = exchange.request_body.decode("utf-8", errors="replace")
    return Sample(service=exchange.service, name=exchange.id, title=exchange.operation, protocol=exchange.protocol,
                  operation=exchange.operation, method=exchange.method, path=exchange.path,
                  request_headers=dict(exchange.request_headers), request_body=text, status=exchange.status,
                  response_headers={}, response_body="", origin=origin,
                  client_cert=client_certificate(exchange.service, exchange.operation, text, exchange.caller.kind))


def _quote(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_./:@=,+-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def shape(sample: Sample) -> dict[str, Any]:
    """What must not drift: status, header names, element/key paths of the bodies (values are volatile).

    The body paths are those recorded from the full bodies (`paths`); a sample without them is read from its
    (possibly shortened) bodies."""
    paths = sample.paths or {"request": body_shape(sample.request_body), "response": body_shape(sample.response_body)}
    return {"protocol": sample.protocol, "operation": sample.operation, "method": sample.method,
            "path": re.sub(r"[0-9a-f]{8,}|\d+", "#", sample.path.split("?")[0]), "status": sample.status,
            "request_headers": sorted(h.lower() for h in sample.request_headers),
            "response_headers": sorted(h.lower() for h in sample.response_headers),
            "request": sorted(paths.get("request", [])), "response": sorted(paths.get("response", []))}


def body_shape(body: str) -> list[str]:
    text = body.strip()
    if text.startswith("<"):
        try:
            return sorted(set(_xml_paths(parse_xml(text.encode("utf-8")))))
        except Exception:  # noqa: BLE001 - a shortened body may not parse: compare its tags
            return sorted(set(re.findall(r"<([A-Za-z][\w:.-]*)[\s/>]", text)))
    if text.startswith(("{", "[")):
        try:
            return sorted(set(_json_paths(json.loads(text))))
        except ValueError:
            return []
    head = re.split(r"\r?\n\r?\n", text, maxsplit=1)[0]
    found = {f"header:{h.lower()}" for h in re.findall(r"(?m)^([A-Za-z][\w-]*):", head)}  # a mail's own headers
    if re.search(r"(?im)^content-type:", text):  # multipart (MTOM) or MIME parts: their headers and XML tags
        found |= {h.lower() for h in re.findall(r"(?im)^(content-[a-z-]+):", text)}
        found |= set(re.findall(r"<([A-Za-z][\w:.-]*)[\s/>]", text))
    return sorted(found)


def _xml_paths(element: Any, prefix: str = "") -> Iterable[str]:
    if not isinstance(element.tag, str):
        return
    path = f"{prefix}/{etree.QName(element).localname}"
    yield path
    for child in element:
        yield from _xml_paths(child, path)


def _json_paths(value: Any, prefix: str = "") -> Iterable[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{prefix}.{key}"
            yield from _json_paths(item, f"{prefix}.{key}")
    elif isinstance(value, list):
        for item in value[:3]:
            yield from _json_paths(item, f"{prefix}[]")


__all__ = ["INDEX", "Sample", "body_shape", "client_certificate", "curl", "exchange_sample", "index", "sample",
           "samples", "services", "shape"]
