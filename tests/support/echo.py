"""Test-only echo simulator: proves the runtime (lifecycle, journal, sessions, admin API, faults)
end to end over real sockets. It is not shipped as a service."""

from __future__ import annotations

from flask import Flask, Response, request

from simulators.core.bench import Runtime
from simulators.core.lifecycle import Lifecycle
from simulators.core.service import request_context

CATALOGUE = {"teapot": "Réponse 418 de démonstration"}


def create_app() -> Flask:
    app = Flask("echo")

    @app.post("/echo")
    def echo():
        ctx = request_context(request.environ)
        decision = ctx.fault("echo")
        if decision.action == "fault" and decision.fault == "teapot":
            ctx.fault_rendered = True
            return Response("je suis une théière", status=418)
        body = request.get_data()
        text = body.decode("utf-8", "replace")
        ctx.summary.update(length=len(body), text=text[:200])
        return Response(body, content_type=request.content_type or "application/octet-stream")

    @app.get("/status/<int:code>")
    def status(code: int):
        request_context(request.environ).operation = "status"
        return Response(f"status {code}", status=code if 100 <= code < 600 else 400)

    @app.get("/boom")
    def boom():
        request_context(request.environ).operation = "boom"
        raise RuntimeError("deliberate failure with a secret stack trace")

    return app


class EchoSimulator:
    name = "echo"

    def __call__(self, rt: Runtime) -> list[Lifecycle]:
        rt.faults.register_catalogue("echo", CATALOGUE)
        app = rt.wrap(create_app(), service="echo")
        return [rt.http_server(app, service="echo", configure="service d'écho (tests uniquement)")]
