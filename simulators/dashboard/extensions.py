"""Extension points: what the services and the journey player advertise to the dashboard.

The dashboard never imports a service. A service that wants a view appends an admin blueprint
serving one of the JSON documents described in README.md at a conventional path; the dashboard
looks the path up in the admin app's URL map, so a view appears exactly when its provider is
mounted, and "service non démarré" is shown otherwise. The journey player (issue 9) plugs in the
same way under /_bench/scenarios.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from flask import Flask


@dataclass(frozen=True)
class Lane:
    service: str
    label: str


# Fixed lanes, in the order the sequence view draws them; other services get a lane when seen.
LANES: tuple[Lane, ...] = (
    Lane("ins", "INSi"), Lane("dmp", "DMP"), Lane("mss", "MSSanté"), Lane("ror", "ROR"),
    Lane("annuaire", "Annuaire"),
)
EXTRA_LABELS = {"psc": "Pro Santé Connect", "echo": "Écho"}
# Endpoints that are transports of a service: their exchanges are recorded under the service.
TRANSPORTS = {"smtp": "mss", "imap": "mss", "admin": ""}


def exchange_services(endpoints: list[str], catalogues: dict[str, dict[str, str]]) -> list[str]:
    """Running services as exchanges name them, in first-seen order, without duplicates."""
    names = [TRANSPORTS.get(name, name) for name in endpoints] + list(catalogues)
    return list(dict.fromkeys(name for name in names if name))


@dataclass(frozen=True)
class ViewProvider:
    service: str
    kind: str  # which renderer: persons | patients | mailboxes | establishments | tables
    path: str  # GET /_bench/<service>/dashboard?session=<name>
    title: str


VIEW_PATH = "/_bench/{service}/dashboard"  # one path per service, next to its own admin routes
VIEWS: tuple[ViewProvider, ...] = (
    ViewProvider("ins", "persons", VIEW_PATH.format(service="ins"), "Base d'identités INSi"),
    ViewProvider("dmp", "patients", VIEW_PATH.format(service="dmp"), "Dossiers médicaux partagés"),
    ViewProvider("mss", "mailboxes", VIEW_PATH.format(service="mss"), "Boîtes aux lettres MSSanté"),
    ViewProvider("ror", "establishments", VIEW_PATH.format(service="ror"), "Établissements du ROR"),
    ViewProvider("annuaire", "tables", VIEW_PATH.format(service="annuaire"), "Annuaire Santé"),
)
SCENARIOS_PATH = "/_bench/scenarios"
# Named journey players for `Dashboard(scenarios=...)`, loaded lazily ("module:Factory").
SCENARIO_PLAYERS = {"reference": "conformance.drivers.scenario_player:ScenarioPlayer"}


def get_routes(app: Flask) -> set[str]:
    return {rule.rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}


def view_catalogue(app: Flask, running: list[str]) -> list[dict[str, Any]]:
    """Each known view with whether its provider is mounted and its service running."""
    routes = get_routes(app)
    views = [{**asdict(view), "mounted": view.path in routes, "running": view.service in running} for view in VIEWS]
    known = {v.service for v in VIEWS}
    for service in running:
        path = VIEW_PATH.format(service=service)
        if service not in known and path in routes:
            views.append({**asdict(ViewProvider(service, "tables", path, EXTRA_LABELS.get(service, service))),
                          "mounted": True, "running": True})
    return views


def scenarios_available(app: Flask) -> bool:
    return SCENARIOS_PATH in get_routes(app)


def lanes(running: list[str]) -> list[dict[str, str]]:
    result = [{"service": "dui", "label": "DUI (logiciel testé)", "short": "DUI"}]
    result += [asdict(lane) for lane in LANES]
    fixed = {lane.service for lane in LANES}
    result += [{"service": s, "label": EXTRA_LABELS.get(s, s)} for s in running if s not in fixed]
    return result
