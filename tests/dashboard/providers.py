"""Test-only providers: fake INSi/DMP/MSS/ROR view endpoints and a fake journey player.

They follow the JSON shapes of simulators/dashboard/README.md, so the dashboard's views and its
scenario player are tested before the real services (issues 3-8) and journeys (issue 9) exist.
The fake services also run a tiny journaled HTTP server each, so they count as running, and the
journey steps call the echo simulator's app in-process through the journaling middleware, so
every step shows up as arrows in the sequence view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.test import Client

from simulators.core.bench import Runtime
from simulators.core.lifecycle import Lifecycle
from tests.support.echo import create_app as create_echo_app

PERSONS = [
    {"id": "p1", "birth_name": "MARTIN", "used_name": "", "first_names": "ELISE CAMILLE", "sex": "F",
     "birth_date": "2011-04-02", "birth_place": "93008", "ins": "211049300812345", "oid": "1.2.250.1.213.1.4.8",
     "status": "qualifiée"},
    {"id": "p2", "birth_name": "DURAND", "used_name": "", "first_names": "FANNY", "sex": "F",
     "birth_date": "2018-01-15", "birth_place": "75056", "ins": "218017505600111", "oid": "1.2.250.1.213.1.4.8",
     "status": "provisoire"},
]
PATIENTS = {
    "viewers": [{"id": "pro:10", "label": "Médecin"}, {"id": "parent", "label": "Parent (représentant légal)"},
                {"id": "patient", "label": "Patient"}],
    "patients": [{"ins": "211049300812345", "name": "Elise MARTIN", "birth_date": "2011-04-02", "minor": True,
                  "status": "ouvert", "documents": [
                      {"id": "d1", "title": "Ordonnance du Dr Petit", "type": "Ordonnance", "author": "Dr Petit",
                       "date": "2026-11-20", "confidentiality": ["N"],
                       "visible_to": {"pro:10": True, "parent": True, "patient": True}},
                      {"id": "d2", "title": "Consultation confidentielle", "type": "CR de consultation",
                       "author": "Dr Petit", "date": "2026-11-21",
                       "confidentiality": ["N", "INVISIBLE_REPRESENTANTS_LEGAUX"],
                       "visible_to": {"pro:10": True, "parent": False, "patient": True}}]}],
}
MAILBOXES = {"mailboxes": [{"address": "crip93@departement93.mssante.fr", "kind": "organisationnelle",
                            "owner": "CRIP de Seine-Saint-Denis", "messages": [
                                {"id": "m1", "date": 1795300000.0, "from": "ide.scolaire@ac.mssante.fr",
                                 "to": ["crip93@departement93.mssante.fr"], "subject": "Information préoccupante",
                                 "attachments": [{"filename": "ip.pdf", "content_type": "application/pdf",
                                                  "size": 20480}],
                                 "receipts": [{"kind": "DSN", "status": "délivré"}], "status": "délivré"}]}]}
ESTABLISHMENTS = {"establishments": [
    {"id": "e1", "name": "MECS Les Tilleuls", "finess": "930000001", "category": "MECS", "commune_code": "93008",
     "commune": "Bobigny", "latitude": 48.9086, "longitude": 2.4397, "age_min": 12, "age_max": 18,
     "places_available": 2},
    {"id": "e2", "name": "MECS du Lagon", "finess": "974000001", "category": "MECS", "commune_code": "97411",
     "commune": "Saint-Denis", "latitude": -20.88, "longitude": 55.45, "age_min": 6, "age_max": 18,
     "places_available": 0},
]}


PSC_TABLES = {"title": "Pro Santé Connect", "note": "Jetons émis dans cette session.", "tables": [
    {"title": "Jetons", "columns": [{"key": "subject", "label": "Sujet"}, {"key": "state", "label": "État"}],
     "rows": [{"subject": "899700000001", "state": "actif"}]}]}


def _service_app() -> Flask:
    app = Flask("fake")

    @app.route("/ping", methods=["GET", "POST"])
    def ping():
        return Response("pong")

    return app


def views_blueprint() -> Blueprint:
    bp = Blueprint("fake_views", __name__)
    documents = {"ins": {"persons": PERSONS}, "dmp": PATIENTS, "mss": MAILBOXES, "ror": ESTABLISHMENTS,
                 "psc": PSC_TABLES}
    for service, document in documents.items():
        bp.add_url_rule(f"/{service}/dashboard", service, lambda document=document: jsonify(document))
    return bp


class FakeServices:
    """Runs journaled fake ins/dmp/mss/ror/psc servers and publishes their view documents."""

    name = "fake-services"

    def __init__(self, services: tuple[str, ...] = ("ins", "dmp", "mss", "ror", "psc"), views: bool = True) -> None:
        self.services = services
        self.views = views

    def __call__(self, rt: Runtime) -> list[Lifecycle]:
        if "ins" in self.services:
            rt.faults.register_catalogue("ins", {"insi_102": "erreur technique"})
        if "mss" in self.services:
            rt.faults.register_catalogue("mss", {"jeton_expire": "jeton Pro Santé Connect expiré"})
        if self.views:
            rt.admin_blueprints.append(views_blueprint())
        return [rt.http_server(rt.wrap(_service_app(), service=s), service=s) for s in self.services]


@dataclass
class Step:
    title: str
    narration: str
    text: str  # sent to the echo service: lower case fails the echo@2 check ("refused")


@dataclass
class JourneyState:
    next: int = 1
    results: dict[int, tuple[str, str]] = field(default_factory=dict)


STEPS = (
    Step("L'infirmière scolaire informe la CRIP", "Elle envoie l'information préoccupante par MSS.", "IP CRIP"),
    Step("Rapport au juge par courriel ordinaire", "Le juge est hors de l'espace de confiance : refus.",
         "rapport au juge"),
    Step("L'ASE transmet à son équipe", "Un message, plusieurs destinataires.", "EQUIPE ASE"),
)


class FakeJourneys:
    """A three-step journey over the echo app; step 2 is judged as a failure (like Elise step 2)."""

    name = "fake-journeys"

    def __call__(self, rt: Runtime) -> list[Lifecycle]:
        client = Client(rt.wrap(create_echo_app(), service="echo"))
        states: dict[str, JourneyState] = {}

        def document(session: str) -> dict:
            state = states.setdefault(session, JourneyState())
            steps = []
            for n, step in enumerate(STEPS, start=1):
                status, message = state.results.get(n, ("pending", ""))
                steps.append({"n": n, "title": step.title, "narration": step.narration, "services": ["echo"],
                              "status": status, "message": message})
            return {"id": "demo", "title": "Démonstration (écho)", "steps": steps,
                    "next": state.next if state.next <= len(STEPS) else None,
                    "finished": state.next > len(STEPS)}

        bp = Blueprint("fake_scenarios", __name__, url_prefix="/scenarios")

        @bp.get("")
        def journeys():
            return jsonify(journeys=[document(request.args.get("session", "default"))])

        @bp.post("/demo/step")
        def step():
            session = (request.get_json(silent=True) or {}).get("session", "default")
            state = states.setdefault(session, JourneyState())
            n = state.next
            response = client.post(f"/s/{session}/echo", data=STEPS[n - 1].text.encode(),
                                   content_type="text/plain")
            refused = STEPS[n - 1].text != STEPS[n - 1].text.upper()
            state.results[n] = ("failed" if refused else "done",
                                "refusé : destinataire hors espace de confiance" if refused
                                else f"réponse {response.status_code}")
            state.next += 1
            return jsonify(journey=document(session), step={"n": n})

        @bp.post("/demo/reset")
        def reset():
            session = (request.get_json(silent=True) or {}).get("session", "default")
            states[session] = JourneyState()
            return jsonify(journey=document(session))

        rt.admin_blueprints.append(bp)
        return []
