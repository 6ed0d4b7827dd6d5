"""The dashboard's scenario player: Fanny, Elliot and Élise played step by step by the reference DUI.

Mounted as an admin blueprint at ``/_bench/scenarios`` (the dashboard's extension point, see
simulators/dashboard/README.md) by ``Dashboard(scenarios="reference")``. Each POST plays one
scenario of the journey's feature with the reference DUI against the bench it runs in, in the
page's session, so its exchanges reach the page through the live feed as arrows; the request
returns once they are recorded, with the narration, what each service received and the verdicts.
The bench is reached through its own admin API on the loopback (the same way ``socle-bench play
--bench-url`` does), with the bench's PKI for the client certificates.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify, request

from simulators.core.admin import problem
from simulators.core.bench import Runtime
from simulators.core.lifecycle import Lifecycle

if TYPE_CHECKING:  # the stepper loads pytest and the whole step library: imported on the first journey asked
    from conformance.drivers.stepper import Journey, JourneyRun, StepOutcome

from features.catalog import CATALOG, JOURNEYS, SECTORS  # the sixteen shipped journeys, by sector
from simulators.identities.world import build_world


def step_document(journey: Journey, run: JourneyRun | None) -> list[dict[str, Any]]:
    steps = []
    for scenario in journey.scenarios:
        outcome: StepOutcome | None = run.results.get(scenario.n) if run else None
        doc: dict[str, Any] = {"n": scenario.n, "title": scenario.title, "narration": scenario.narration,
                               "services": list(scenario.services), "status": "pending", "message": ""}
        if outcome is not None:
            doc.update(outcome_document(outcome))
        steps.append(doc)
    return steps


def outcome_document(outcome: StepOutcome) -> dict[str, Any]:
    """The page shows ``status`` and ``message``; ``received``/``verdicts``/``demo`` are for readers
    of the JSON (and a richer page later): one French line per exchange and per verdict."""
    message = outcome.message
    demo: dict[str, Any] | None = None
    if outcome.demo is not None:
        session = outcome.demo.exchanges[0].session
        demo = {"session": session, "received": outcome.demo.received()}
        refused = refusals(outcome.demo.exchanges)
        if refused:
            message += f" — démonstration du banc (session « {session} ») : " + " ; ".join(refused)
    return {"status": "failed" if outcome.status != "done" else "done", "message": message,
            "outcome": outcome.status, "received": outcome.report.received(),
            "verdicts": outcome.report.verdict_lines(limit=20),
            "exchanges": [e.id for e in outcome.report.exchanges], "demo": demo}


def refusals(exchanges: list[Any]) -> list[str]:
    """The operator's refusals, in the words of its SMTP reply (code, enhanced status, text)."""
    lines = []
    for exchange in exchanges:
        for r in exchange.summary.get("recipients") or []:
            if not r.get("delivered"):
                reply = " ".join(str(r.get(k, "")) for k in ("code", "status", "text") if r.get(k))
                lines.append(f"l'opérateur MSSanté refuse {r.get('recipient', '')} ({reply})")
    return lines


@dataclass
class ScenarioPlayer:
    """Simulator factory: ``Dashboard(scenarios="reference")`` or ``Bench(config, [..., ScenarioPlayer()])``."""

    journeys: tuple[str, ...] = JOURNEYS
    dui: str = "reference"
    timeout_s: float = 60.0
    directory: Path | None = None  # where the .feature files are; default: the shipped features/
    name: str = "scenarios"
    _definitions: dict[str, Journey] = field(default_factory=dict, init=False, repr=False)

    def __call__(self, rt: Runtime) -> list[Lifecycle]:
        runs: dict[tuple[str, str], JourneyRun] = {}
        guard = threading.Lock()
        world: list[Any] = []  # built once, on the first step (a few hundred ms)

        def journey(journey_id: str) -> Journey:
            if journey_id not in self._definitions:
                # lazy: pytest and the step library cost `serve` a third of a second at start
                from conformance.drivers.stepper import load_journey
                self._definitions[journey_id] = load_journey(journey_id, self.directory)
            return self._definitions[journey_id]

        def document(journey_id: str, session: str) -> dict[str, Any]:
            j = journey(journey_id)
            run = runs.get((session, journey_id))
            nxt = run.next if run else 1
            spec = next((c for c in CATALOG if c.id == j.id), None)
            sector = spec.sector if spec else ""
            return {"id": j.id, "title": j.title, "sector": sector, "sector_label": SECTORS.get(sector, ""),
                    "description": j.description, "steps": step_document(j, run),
                    "next": nxt if nxt <= len(j.scenarios) else None, "finished": nxt > len(j.scenarios)}

        def start_run(journey_id: str, session: str) -> JourneyRun:
            # lazy, like the stepper: the drivers and the bench attachment load with the first journey played,
            # not with `serve` (they bring the reference DUI's clients and the live checks' registry)
            from conformance.drivers import load_driver  # lazy: see above
            from conformance.drivers.local_bench import pki_credentials, target_for  # lazy: see above

            if not world:
                world.append(build_world(rt.config.seed))
            credentials = pki_credentials(rt.pki) if rt.pki is not None else None
            target = target_for(admin_url(rt), session, world=world[0], credentials=credentials,
                                timeout_s=self.timeout_s)
            driver = load_driver(self.dui)
            driver.open(target)
            from conformance.drivers.stepper import JourneyRun  # lazy: loaded with the journey above
            return JourneyRun(journey(journey_id), target, driver)

        def body_session() -> str:
            return str((request.get_json(silent=True) or {}).get("session") or "default")

        bp = Blueprint("scenario_player", __name__, url_prefix="/scenarios")

        @bp.get("")
        def list_journeys():
            session = request.args.get("session") or "default"
            return jsonify(journeys=[document(j, session) for j in self.journeys])

        @bp.post("/<journey_id>/step")
        def step(journey_id: str):
            if journey_id not in self.journeys:
                return problem(404, f"parcours inconnu : {journey_id!r}")
            session = body_session()
            with guard:
                run = runs.get((session, journey_id))
                if run is None:
                    try:
                        run = runs[(session, journey_id)] = start_run(journey_id, session)
                    except Exception as exc:  # noqa: BLE001 - the bench cannot be reached: say why
                        return problem(503, f"le DUI de référence ne peut pas joindre le banc : {exc}")
            if run.finished:
                return problem(409, "parcours terminé : cliquez sur « Recommencer » pour le rejouer")
            if not run.lock.acquire(blocking=False):
                return problem(409, "une étape de ce parcours est déjà en cours dans cette session")
            try:
                n, outcome = run.play_next()
            finally:
                run.lock.release()
            return jsonify(journey=document(journey_id, session),
                           step={"n": n, **outcome_document(outcome)})

        @bp.post("/<journey_id>/reset")
        def reset(journey_id: str):
            if journey_id not in self.journeys:
                return problem(404, f"parcours inconnu : {journey_id!r}")
            session = body_session()
            with guard:
                run = runs.pop((session, journey_id), None)
            if run is not None:
                run.dui.close()
            return jsonify(journey=document(journey_id, session))

        def close_all() -> None:
            for run in list(runs.values()):
                run.dui.close()
            runs.clear()

        rt.admin_blueprints.append(bp)
        rt.shutdown_hooks.append(close_all)
        return []


def admin_url(rt: Runtime) -> str:
    """The admin API of this very bench, on the loopback when it listens on every address: the
    port is the one serving the current request (ephemeral ports are only known once bound)."""
    host = rt.config.host or "127.0.0.1"
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - recognises a wildcard bind, binds nothing
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{request.environ['SERVER_PORT']}"
