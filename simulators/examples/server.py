"""The samples on the admin API: `GET /_bench/examples` (index), `/_bench/examples/<service>` and
`/_bench/examples/<service>/<name>` (`?format=curl` for the request as a curl command).

`Examples` is a simulator factory like the dashboard's: it starts no server, it appends its blueprint to the
runtime's admin blueprints, so the core never imports this package.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request

from simulators.core.admin import problem
from simulators.core.bench import Runtime
from simulators.core.lifecycle import Lifecycle
from simulators.examples import NAME, Sample, curl, index, sample, samples, services

BASE_URL = re.compile(r"https?://[A-Za-z0-9.-]{1,253}(:\d{1,5})?")


def _summary(item: Sample) -> dict[str, Any]:
    return {"service": item.service, "name": item.name, "title": item.title, "operation": item.operation,
            "protocol": item.protocol, "status": item.status, "note": item.note,
            "href": f"/_bench/examples/{item.service}/{item.name}"}


def create_blueprint() -> Blueprint:
    bp = Blueprint("bench_examples", __name__, url_prefix="/examples")

    @bp.get("")
    @bp.get("/")
    def list_services() -> Response:
        return jsonify({"services": [{"service": s, "samples": len(samples(s)), "href": f"/_bench/examples/{s}"}
                                     for s in services()],
                        "missing": index().get("missing", {}),
                        "guides": "docs/README.md"})

    @bp.get("/<service>")
    def list_samples(service: str) -> Response:
        found = samples(service) if NAME.match(service) else []
        if not found:
            return problem(404, f"aucun exemple pour le service {service[:40]!r} (services : {', '.join(services())})")
        return jsonify([_summary(s) for s in found])

    @bp.get("/<service>/<name>")
    def one_sample(service: str, name: str) -> Response:
        item = sample(service, name)
        if item is None:
            return problem(404, f"exemple inconnu : {service[:40]!r}/{name[:80]!r}")
        if request.args.get("format") == "curl":
            base_url = request.args.get("base_url", "")
            if base_url and not BASE_URL.fullmatch(base_url):
                return problem(400, "base_url attendu de la forme https://hôte[:port]")
            command = curl(item, base_url)
            if not command:
                return problem(404, f"pas de commande curl pour un échange {item.protocol.upper()} "
                                    "(le guide montre la transcription)")
            return Response(command + "\n", mimetype="text/plain")
        return jsonify(item.as_json())

    return bp


class Examples:
    """Factory: `Bench(config, [..., Examples()])`; registered as "examples" by `socle-bench serve`."""

    name = "examples"

    def __call__(self, rt: Runtime) -> list[Lifecycle]:
        rt.admin_blueprints.append(create_blueprint())
        return []


__all__ = ["Examples", "create_blueprint"]
