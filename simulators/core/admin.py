"""Admin API under `/_bench/` on the admin port: sessions, exchanges, faults, health, version.

Documented by the OpenAPI file served at `/_bench/openapi.json` (simulators/core/openapi.json).
Errors are RFC 9457 problem documents.
"""

from __future__ import annotations

import json
import platform
import time
from importlib import resources
from datetime import datetime
from typing import Protocol

from flask import Blueprint, Flask, Request, Response, jsonify, request, stream_with_context
from werkzeug.exceptions import BadRequest, HTTPException

from .. import __version__
from .faults import FaultRule, FaultRuleError
from .httpserver import BODY_ERROR_KEY
from .flaskapp import flask_app
from .journal import ExchangeQuery
from .judge import DeferredChecker
from .admin_auth import refuse_session, session_access
from .sessions import SessionError

from .lifecycle import Endpoint
from .runtime import Runtime


class BenchView(Protocol):
    """What the admin app reads of the process serving it (`Bench`, a gunicorn worker, the in-process
    bench): its runtime and the endpoints it publishes."""

    @property
    def runtime(self) -> Runtime | None: ...

    def endpoints(self) -> list[Endpoint]: ...

PREFIX = "/_bench"


class AdminRequest(Request):
    """JSON nested deeper than the parser's recursion limit is invalid JSON like any other, not a crash."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            raise BadRequest("JSON trop profondément imbriqué") from None


def problem(status: int, detail: str, title: str = "") -> Response:
    body = {"type": "about:blank", "title": title or _TITLES.get(status, "Erreur"), "status": status,
            "detail": detail}
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/problem+json")


_TITLES = {400: "Requête invalide", 404: "Introuvable", 409: "Conflit", 500: "Erreur du banc"}


def _float_arg(name: str) -> float | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return float(raw)
    except ValueError:
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise ValueError(f"{name}: attendu un horodatage epoch ou ISO 8601, obtenu {raw!r}") from None


def _live_state(checker: object) -> str:
    """`ready`, `loading` (built in the background after start), `failed`, or `off` (no live checks)."""
    if checker is None:
        return "off"
    return checker.state if isinstance(checker, DeferredChecker) else "ready"


def create_admin_app(bench: BenchView, blueprints: list[Blueprint],
                     ui_blueprints: list[Blueprint] | None = None) -> Flask:
    rt = bench.runtime
    assert rt is not None
    app = flask_app("socle_bench_admin")
    app.request_class = AdminRequest
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    api = Blueprint("bench_admin", __name__, url_prefix=PREFIX)

    @api.get("/health")
    def health():
        live = _live_state(rt.journal.live_checker)
        status = "ok" if rt.journal.write_errors == 0 and live != "failed" else "degraded"
        return jsonify(status=status, time=time.time(), version=__version__,
                       journal={"write_errors": rt.journal.write_errors, "last_error": rt.journal.last_error},
                       live_checks=live,
                       services={e.service: e.url for e in bench.endpoints()})

    @api.get("/version")
    def version():
        return jsonify(name="socle-bench", version=__version__, python=platform.python_version())

    @api.get("/services")
    def services():
        return jsonify([{"service": e.service, "url": e.url, "configure": e.configure}
                        for e in bench.endpoints()])

    @api.get("/openapi.json")
    def openapi():
        text = resources.files("simulators.core").joinpath("openapi.json").read_text(encoding="utf-8")
        return Response(text, mimetype="application/json")

    # --- sessions ------------------------------------------------------------------------
    @api.get("/sessions")
    def list_sessions():
        return jsonify([s.public() for s in rt.sessions.list()])

    @api.post("/sessions")
    def create_session():
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return problem(400, "corps JSON attendu: {\"name\": \"...\"}")
        try:
            secret = data.get("secret") or ""
            if not isinstance(secret, str):
                return problem(400, "secret : chaîne attendue")
            options = data.get("options") or {}
            if not isinstance(options, dict):
                return problem(400, "options : objet JSON attendu")
            info = rt.sessions.create(data["name"], description=str(data.get("description", "")),
                                      options=options, secret=secret)
        except SessionError as exc:
            return problem(409 if "existe" in str(exc) else 400, str(exc))
        return jsonify(info.public()), 201

    @api.get("/sessions/<name>")
    def get_session(name: str):
        try:
            info = rt.sessions.get(name)
        except SessionError as exc:
            return problem(404, str(exc))
        return jsonify({**info.public(), "exchanges": rt.journal.count(name)})

    @api.delete("/sessions/<name>")
    def delete_session(name: str):
        try:
            rt.sessions.delete(name)
        except SessionError as exc:
            return problem(404, str(exc))
        rt.faults.clear(name)
        return "", 204

    @api.post("/sessions/<name>/reset")
    def reset_session(name: str):
        try:
            rt.sessions.reset(name)
        except SessionError as exc:
            return problem(404, str(exc))
        return jsonify(session=name, reset=True)

    @api.get("/sessions/<name>/journal.jsonl")
    def export_journal(name: str):
        if not rt.sessions.exists(name):
            return problem(404, f"session inconnue: {name!r}")

        def lines():
            for ex in rt.journal.iter_session(name):
                yield json.dumps(ex.to_json(), ensure_ascii=False) + "\n"

        return Response(stream_with_context(lines()), mimetype="application/x-ndjson")

    # --- exchanges -----------------------------------------------------------------------
    @api.get("/exchanges")
    def list_exchanges():
        try:
            limit = int(request.args.get("limit", "100"))
            q = ExchangeQuery(session=request.args.get("session") or None,
                              service=request.args.get("service") or None,
                              operation=request.args.get("operation") or None,
                              since=_float_arg("since"), until=_float_arg("until"),
                              after=request.args.get("after") or None, limit=max(1, min(limit, 1000)),
                              newest_first=request.args.get("order") == "desc",
                              exclude_sessions=session_access().hidden())
        except ValueError as exc:
            return problem(400, str(exc))
        bodies = request.args.get("bodies") in ("1", "true", "yes")
        page = rt.journal.query(q, bodies=bodies)
        next_after = page[-1].id if len(page) == q.limit else None
        return jsonify(exchanges=[e.to_json(bodies=bodies) for e in page], next_after=next_after)

    @api.get("/exchanges/<exchange_id>")
    def get_exchange(exchange_id: str):
        ex = rt.journal.get(exchange_id)
        if ex is None:
            return problem(404, f"échange inconnu: {exchange_id}")
        if not session_access().allowed(ex.session):
            return refuse_session(ex.session)
        return jsonify(ex.to_json())

    @api.get("/exchanges/<exchange_id>/<part>")
    def get_exchange_body(exchange_id: str, part: str):
        if part not in ("request", "response"):
            return problem(404, "partie attendue: request ou response")
        ex = rt.journal.get(exchange_id)
        if ex is None:
            return problem(404, f"échange inconnu: {exchange_id}")
        if not session_access().allowed(ex.session):
            return refuse_session(ex.session)
        headers = ex.request_headers if part == "request" else ex.response_headers
        body = ex.request_body if part == "request" else ex.response_body
        ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "application/octet-stream")
        return Response(body, content_type=ctype, headers={
            "Content-Disposition": f'attachment; filename="{exchange_id}-{part}.bin"'})

    # --- faults --------------------------------------------------------------------------
    @api.get("/faults")
    def list_faults():
        session = request.args.get("session") or None
        hidden = set(session_access().hidden())
        return jsonify(rules=[r.to_json() for r in rt.faults.rules(session) if r.session not in hidden],
                       catalogues=rt.faults.catalogues)

    @api.post("/faults")
    def add_fault():
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return problem(400, "corps JSON attendu: une règle de défaut")
        hidden = session_access().hidden()
        if data.get("session") == "*" and hidden:
            return problem(403, "une règle pour toutes les sessions (\"*\") toucherait des sessions protégées : "
                                + ", ".join(hidden), "Session protégée")
        try:
            rule = rt.faults.add(FaultRule.from_json(data))
        except FaultRuleError as exc:
            return problem(400, str(exc))
        return jsonify(rule.to_json()), 201

    @api.delete("/faults/<rule_id>")
    def delete_fault(rule_id: str):
        rule = next((r for r in rt.faults.rules() if r.id == rule_id), None)
        if rule is not None and not session_access().allowed(rule.session):
            return refuse_session(rule.session)
        if not rt.faults.remove(rule_id):
            return problem(404, f"règle inconnue: {rule_id}")
        return "", 204

    @api.delete("/faults")
    def clear_faults():
        session = request.args.get("session") or None
        if session is None:  # every session the caller may touch, never another team's protected one
            hidden = set(session_access().hidden())
            removed = sum(rt.faults.remove(r.id) for r in rt.faults.rules() if r.session not in hidden)
        else:
            removed = rt.faults.clear(session)
        return jsonify(removed=removed)

    app.register_blueprint(api)
    for bp in blueprints:
        app.register_blueprint(bp, url_prefix=f"{PREFIX}{bp.url_prefix or ''}")
    for bp in ui_blueprints or []:
        app.register_blueprint(bp)

    @app.before_request
    def refuse_unreadable_body():
        framing = request.environ.get(BODY_ERROR_KEY)
        return problem(*framing) if framing is not None else None

    @app.errorhandler(404)
    def not_found(_exc):
        return problem(404, f"ressource inconnue: {request.path}")

    @app.errorhandler(405)
    def not_allowed(_exc):
        return problem(405, f"méthode {request.method} non permise sur {request.path}", "Méthode non permise")

    @app.errorhandler(Exception)
    def internal(exc):
        if isinstance(exc, HTTPException):
            return problem(exc.code or 500, exc.description or "")
        app.logger.exception("admin error")
        return problem(500, "erreur interne du banc")

    return app
