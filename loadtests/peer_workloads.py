"""What each benchmark suite is compared with: the same request replayed against the peers.

For an HTTP service the request is recorded, not rebuilt: the reference client talks once to the
simulator in a throw-away TLS bench, and the journal gives the exact request (method, path, headers,
body) and the simulator's response; WireMock and the floor then answer that request with that
response as a canned one. For MSSanté the very same 50 KB XDM message goes to MailDev and to the
floor. The peers are loaded with the same number of threads as the suite, over keep-alive
connections, from a separate process; the ratio is bench figure / peer figure (throughput) and
bench p99 / peer p99 (latency).

A suite module may define `peer_workloads(work_dir, pki) -> list` to replace the defaults here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .peers import CannedResponse
from .clients import dmp_identity, dmp_spec, DMP_WRITERS, mss_patients, personal_boxes, xdm_message
from simulators.core.bench import Bench
from simulators.core.config import load_config
from simulators.core.journal import ExchangeQuery
from simulators.core.tls import requests_cert, requests_verify
from simulators.dmp.client import DmpClient
from simulators.dmp.simulator import DmpSimulator
from simulators.identities.world import build_world
from simulators.ins.client import InsiClient
from simulators.ins.server import InsSimulator
from simulators.mss.client import wire_bytes
from simulators.ror.client import RorApiClient
from simulators.ror.model import TOKEN_PATH
from simulators.ror.server import RorSimulator

SESSION = "peers"
DEFAULT_SEED = 20261122  # BenchConfig's default: the world the simulators seed themselves from
FORWARDED = ("content-type", "soapaction", "accept", "authorization", "ror-profil-utilisateur-code")


@dataclass
class HttpWorkload:
    label: str  # what the bench figure counts
    rate_keys: tuple[str, ...]  # where the suite's result holds the bench's throughput (first found)
    p99_keys: tuple[str, ...]
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    response: CannedResponse
    client_cert: str | None = None  # mutual TLS certificate the suite presents (the floor requires it too)
    service_spec: str = ""  # "module:factory": also measured behind gunicorn when the request can be replayed


@dataclass
class SmtpWorkload:
    label: str
    rate_keys: tuple[str, ...]
    p99_keys: tuple[str, ...]
    sender: str
    recipients: list[str]
    message: bytes


Workload = HttpWorkload | SmtpWorkload


def recorded(factory: Any, work_dir: Path, pki: Any, drive: Callable[[Any, Any], None]) -> list[Any]:
    """Exchanges of one scripted conversation of the reference client with a throw-away bench."""
    config = load_config(None, data_dir=work_dir / "capture", tls=True).ephemeral()
    with Bench(config, [factory], pki=pki) as bench:
        drive(bench, pki)
        return bench.started_runtime.journal.query(ExchangeQuery(session=SESSION, limit=1000))


def _session_url(bench: Any, endpoint: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(bench.url(endpoint))
    return f"{parts.scheme}://{parts.netloc}/s/{SESSION}{parts.path}"


def http_workload(exchange: Any, label: str, rate_keys: tuple[str, ...], p99_keys: tuple[str, ...],
                  client_cert: str | None, service_spec: str = "") -> HttpWorkload:
    if exchange.status >= 400:
        raise RuntimeError(f"{label}: the recorded exchange failed (HTTP {exchange.status})")
    headers = {k: v for k, v in exchange.request_headers.items() if k.lower() in FORWARDED}
    return HttpWorkload(label, rate_keys, p99_keys, exchange.method, exchange.path, headers, exchange.request_body,
                        CannedResponse(exchange.status, dict(exchange.response_headers), exchange.response_body),
                        client_cert, service_spec)


def ins_workloads(work_dir: Path, pki: Any) -> list[Workload]:
    def drive(bench: Any, pki: Any) -> None:
        client = InsiClient(_session_url(bench, "ins"), cert=requests_cert(pki, "insi-auto"), verify=requests_verify(pki))
        client.search_traits("ADRUN", "ZOE", "F", "1975-12-31")

    exchange = recorded(InsSimulator(), work_dir, pki, drive)[-1]
    return [http_workload(exchange, "INSi lookups/s", ("lookups_per_s",), ("p99_ms",), "insi-auto",
                          "simulators.ins.server:InsSimulator")]


def dmp_workloads(work_dir: Path, pki: Any) -> list[Workload]:
    pro_id, patient_id, kind = DMP_WRITERS[0]

    def drive(bench: Any, pki: Any) -> None:
        world = build_world(bench.config.seed)
        client = DmpClient(bench.url("dmp"), dmp_identity(pki, world, pro_id), verify=str(pki.trust_path),
                           session=SESSION)
        patient = world.person(patient_id)
        client.feed([(dmp_spec(client.identity, patient, kind), ())])
        client.find_documents(patient.known_ins.value, patient.known_ins.oid)

    exchanges = recorded(DmpSimulator(), work_dir, pki, drive)
    feed = next(e for e in exchanges if "repository" in e.path)
    query = next(e for e in exchanges if "registry" in e.path)
    cert = f"load-dmp-{build_world(DEFAULT_SEED).professional(pro_id).establishment_id}-auth"
    return [http_workload(feed, "DMP ITI-41 documents/s", ("iti41_documents_per_s", "docs_per_s"), ("iti41_p99_ms",),
                          cert),
            # the recorded query replays as-is (same VIHF, valid one hour); the feed would be a duplicate
            http_workload(query, "DMP ITI-18 queries/s (p99)", ("iti18_per_s", "queries_per_s"),
                          ("iti18_p99_ms",), cert, "simulators.dmp.simulator:DmpSimulator")]


def ror_workloads(work_dir: Path, pki: Any) -> list[Workload]:
    def drive(bench: Any, pki: Any) -> None:
        origin = bench.url("ror").split("/ws-diffusion-fhir")[0]
        client = RorApiClient(f"{origin}/s/{SESSION}/ws-diffusion-fhir", f"{origin}/s/{SESSION}{TOKEN_PATH}",
                              client_id="bench-profil-2", cert=requests_cert(pki, "org-auth-cli"),
                              verify=requests_verify(pki))
        elise = build_world(bench.config.seed).person("elise")
        assert elise.address is not None, "the world's Élise has a home address"
        client.find_offers(establishment_category="177", age=15, near_commune=elise.address.commune_code,
                           radius_km=30)

    search = [e for e in recorded(RorSimulator(), work_dir, pki, drive) if e.method == "GET"][-1]
    # no gunicorn column: the ROR signs its tokens with a key drawn per process, so a replayed token
    # is refused by other processes (reported to the ROR simulator's owner)
    return [http_workload(search, "ROR searches/s", ("searches_per_s",), ("p99_ms",), "org-auth-cli")]


def mss_workloads(work_dir: Path, pki: Any) -> list[Workload]:
    boxes = personal_boxes(DEFAULT_SEED)
    sender, recipient = boxes[0], boxes[1]
    message = wire_bytes(xdm_message(sender, recipient, mss_patients(build_world(DEFAULT_SEED))[0]))
    return [SmtpWorkload("MSS messages/s (XDM 50 KB)", ("operator.accepted_per_s", "messages_per_s"),
                         ("operator.smtp_p99_ms", "smtp_p99_ms"),
                         sender.address, [recipient.address], message)]


DEFAULT_WORKLOADS: dict[str, Callable[[Path, Any], list[Workload]]] = {
    "ins": ins_workloads, "dmp": dmp_workloads, "mss": mss_workloads, "ror": ror_workloads,
}
