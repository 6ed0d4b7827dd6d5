"""The dashboard's Flask blueprint: the page at `/`, its assets and a small JSON API under `/ui/api/`.

Everything that changes the bench (sessions, resets, fault rules) goes through the admin API under
`/_bench/` from the browser; this blueprint only adds what the admin API has no reason to know:
compact rows, decoded bodies, requirement texts, button states, the map and the bundle download.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from simulators.core.admin import problem
from simulators.core.admin_auth import refuse_session, session_access
from simulators.core.journal import ExchangeQuery
from simulators.dmp.valuesets import load_valuesets
from simulators.examples import curl, exchange_sample

import simulators.dashboard.extensions as extensions  # module imports, not `from . import`: no edge to the package
import simulators.dashboard.geo as geo
import simulators.dashboard.mapdata as mapdata
import simulators.dashboard.presets as presets

from .decode import decode_body, xml_documents
from .evidence import EmptySessionError, Evidence
from .rows import exchange_row, verdict_status
from .stream import ALL_SESSIONS, ExchangeFeed, FeedSettings, id_floor
from .vihf import decode_assertions

PAGE_SIZE = 500
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass
class DashboardContext:
    """What the routes need: the runtime's journal, events, sessions and faults, the conformance
    side (requirement texts, bundle) and the feed's batching settings."""

    rt: Any  # simulators.core.bench.Runtime
    evidence: Evidence
    feed: FeedSettings = field(default_factory=FeedSettings)


def admin_services() -> list[dict[str, Any]]:
    """The admin API's own /_bench/services view, called in-process ([] when the admin API is not mounted)."""
    view = current_app.view_functions.get("bench_admin.services")
    if view is None:
        return []
    response = view()
    assert isinstance(response, Response), "the admin API's services view answers with jsonify"
    return response.get_json()


def running_services(catalogues: dict[str, dict[str, str]]) -> list[str]:
    """Exchange services of this bench: the endpoints listed by the admin API's own
    /_bench/services view (transport endpoints mapped to their service, e.g. smtp -> mss) plus the
    services that registered a fault catalogue."""
    endpoints = [s["service"] for s in admin_services()]
    return extensions.exchange_services(endpoints, catalogues)


def create_blueprint(ctx: DashboardContext) -> Blueprint:
    static = resources.files("simulators.dashboard").joinpath("static")
    bp = Blueprint("dashboard", __name__, static_folder=str(static), static_url_path="/ui/static")
    rt = ctx.rt

    @bp.get("/")
    def page():
        html = static.joinpath("index.html").read_text(encoding="utf-8")
        return Response(html, mimetype="text/html", headers={"Cache-Control": "no-cache"})

    @bp.get("/ui/api/meta")
    def meta():
        running = running_services(rt.faults.catalogues)
        return jsonify(lanes=extensions.lanes(running), running=running,
                       views=extensions.view_catalogue(current_app, running),
                       scenarios={"available": extensions.scenarios_available(current_app),
                                  "path": extensions.SCENARIOS_PATH},
                       feed={"interval_ms": int(ctx.feed.interval_s * 1000)})

    @bp.get("/ui/api/exchanges")
    def exchanges_page():
        session = request.args.get("session") or "default"
        before = request.args.get("before") or None
        try:
            limit = max(1, min(int(request.args.get("limit", PAGE_SIZE)), 2000))
        except ValueError:
            return problem(400, "limit : entier attendu")
        scope = None if session == ALL_SESSIONS else session
        hidden = session_access().hidden() if scope is None else ()
        page = rt.journal.query(ExchangeQuery(session=scope, after=before, limit=limit, newest_first=True,
                                              exclude_sessions=hidden), bodies=False)
        rows = [exchange_row(e) for e in reversed(page)]
        total = rt.journal.count(scope) - sum(rt.journal.count(h) for h in hidden)
        return jsonify(rows=rows, total=total, cursor=resume_cursor(rows),
                       next_before=rows[0]["id"] if len(page) == limit else None)

    @bp.get("/ui/api/exchanges/<exchange_id>")
    def exchange_detail(exchange_id: str):
        exchange = rt.journal.get(exchange_id)
        if exchange is None:
            return problem(404, f"échange inconnu : {exchange_id}")
        if not session_access().allowed(exchange.session):
            return refuse_session(exchange.session)
        return jsonify({**detail_document(exchange, ctx.evidence), "curl": exchange_curl(exchange)})

    @bp.get("/ui/api/stream")
    def stream():
        session = request.args.get("session") or "default"
        after = request.headers.get("Last-Event-ID") or request.args.get("after") or None
        hidden = session_access().hidden() if session == ALL_SESSIONS else ()
        feed = ExchangeFeed(rt.events, rt.journal, session, after=after, settings=ctx.feed,
                            stop=rt.faults.stopping, hidden=frozenset(hidden))
        return Response(stream_with_context(feed.frames()), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @bp.get("/ui/api/requirements")
    def requirements():
        return jsonify(ctx.evidence.requirements())

    @bp.get("/ui/api/faults")
    def fault_buttons():
        session = request.args.get("session") or "default"
        hidden = set(session_access().hidden())
        rules = [r.to_json() for r in rt.faults.rules(session) if r.session not in hidden]
        states = presets.preset_states(session, set(running_services(rt.faults.catalogues)),
                                       rt.faults.catalogues, rules)
        return jsonify(presets=[{**s.__dict__, "active": s.active} for s in states], rules=rules)

    @bp.get("/ui/api/map")
    def schematic_map():
        return jsonify(geo.schematic_map())

    @bp.get("/ui/api/habilitations")
    def habilitations():
        """Beside the DMP view: the DMP's matrix (groups -> categories of documents) and, for comparison,
        the Santélien e-parcours rights by professional group (seed material, shipped as data)."""
        here = Path(__file__).parent / "data" / "santelien.json"
        matrix = load_valuesets().habilitations
        dmp = [{"groupe": name, "categories": spec["categories"]} for name, spec in matrix["groups"].items()
               if name != "systeme"]
        return jsonify(dmp=dmp, santelien=json.loads(here.read_text(encoding="utf-8")))

    @bp.get("/ui/api/departements")
    def departements():
        """The départements as shapes, their régions and the projection (simulators/dashboard/mapdata.py)."""
        response = jsonify(mapdata.load())
        response.headers["Cache-Control"] = "max-age=3600"
        return response

    @bp.get("/ui/api/sessions/<name>/bundle.zip")
    def bundle(name: str):
        if not rt.sessions.exists(name):
            return problem(404, f"session inconnue : {name!r}")
        try:
            data, manifest = ctx.evidence.bundle(rt.journal, name, source=request.host_url.rstrip("/"))
        except EmptySessionError as exc:
            return problem(409, str(exc))
        filename = f"preuves-{_SAFE_NAME.sub('_', name)}.zip"
        return Response(data, mimetype="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Bundle-Outcome": str(manifest.get("outcome", ""))})

    return bp


def resume_cursor(rows: list[dict[str, Any]], *, now: float | None = None) -> str:
    """Where the live feed should resume after this page: its newest row, or, for an empty page,
    the current time; the feed rewinds a second from there (see `stream.rewind`), which keeps a
    brand-new session from losing the exchanges recorded while the page was loading."""
    return rows[-1]["id"] if rows else id_floor(time.time() if now is None else now)


def exchange_curl(exchange: Any) -> str:
    """"copier en curl": the exchange's request as a curl command, its body piped from the admin API's raw
    request, the certificate from the bench PKI's layout ("" for SMTP/IMAP, which curl cannot replay)."""
    if exchange.protocol != "http":
        return ""
    host = next((v for k, v in exchange.request_headers.items() if k.lower() == "host"), "")
    urls = [s["url"] for s in admin_services()]
    scheme = next((u.partition("://")[0] for u in urls if u.partition("://")[2].partition("/")[0] == host), "https")
    raw = f"{request.host_url.rstrip('/')}/_bench/exchanges/{exchange.id}/request"
    return curl(exchange_sample(exchange, f"{scheme}://{host}" if host else ""), body_from=raw)


def detail_document(exchange: Any, evidence: Evidence) -> dict[str, Any]:
    """The detail panel's document: decoded bodies, VIHF attributes, verdicts with their texts."""
    request_view = decode_body(exchange.request_body, exchange.request_headers, protocol=exchange.protocol)
    response_view = decode_body(exchange.response_body, exchange.response_headers, protocol=exchange.protocol)
    assertions = decode_assertions(xml_documents(request_view, exchange.request_body))
    verdicts = [{"check": verdict.check, "outcome": verdict.outcome, "level": verdict.level,
                 "status": verdict_status(verdict.outcome, verdict.level), "message": verdict.message,
                 "requirements": [evidence.requirement(r) for r in verdict.requirements]}
                for verdict in exchange.verdicts]
    info = exchange.to_json(bodies=False)
    return {
        "row": exchange_row(exchange),
        "exchange": json.loads(json.dumps(info, ensure_ascii=False, default=str)),
        "request": request_view.to_json(),
        "response": response_view.to_json(),
        "vihf": [a.to_json() for a in assertions],
        "verdicts": verdicts,
        "raw": {"request": f"/_bench/exchanges/{exchange.id}/request",
                "response": f"/_bench/exchanges/{exchange.id}/response",
                "json": f"/_bench/exchanges/{exchange.id}"},
    }
