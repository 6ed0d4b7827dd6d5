"""Admin API of the ROR simulator, mounted at `/_bench/ror` on the admin port.

- `POST /sessions/<s>/resources`: load resources (one resource, a JSON array, or a Bundle of any
  type) into a session; they are served back exactly as posted.
- `DELETE /sessions/<s>/resources/<Type>/<id>`
- `POST /sessions/<s>/volume` `{"volume": 20000, "region": "11"}`: add the generated volume.
- `GET /sessions/<s>/counts`
- `GET /nomenclatures`: the NOS code systems (TRE) the simulator uses, as static data.
- `GET /clients`, `POST /clients` `{"client_id", "profile", "secret", "cert_cn"}`: editors' registrations.
- `GET /dashboard?session=S[&offset=0&limit=500]`: the dashboard's establishments view
  (dashboard_view.py), one page of establishments in store order (the world's first), with `total`
  and `next_offset`: the page draws one SVG dot per row, so a 20,000-offer session is paged.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, request

from simulators.core.sessions import valid_session_name
from simulators.ror.codec import SearchError, loads_resource
from simulators.ror.codes import nomenclatures
from simulators.ror.dashboard_view import EstablishmentView
from simulators.ror.options import RorOptions
from simulators.ror.model import RESOURCE_TYPES, RorClient, nos
from simulators.ror.store import RorStore

MAX_VOLUME = 200_000
DASHBOARD_PAGE = 500
DASHBOARD_MAX_PAGE = 5_000
_ID_RE = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def _problem(status: int, detail: str) -> Response:
    body = {"type": "about:blank", "title": "Requête invalide" if status == 400 else "Erreur", "status": status,
            "detail": detail}
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")


def resources_of(payload: dict[str, Any] | list[Any]) -> list[dict[str, Any]]:
    """Flatten what a vendor posts; every resource must be of a served type with a valid id."""
    items = payload if isinstance(payload, list) else (
        [e.get("resource") for e in payload.get("entry") or ()] if payload.get("resourceType") == "Bundle"
        else [payload])
    result = []
    for item in items:
        if not isinstance(item, dict) or item.get("resourceType") not in RESOURCE_TYPES:
            raise SearchError(f"ressource non prise en charge : {str((item or {}).get('resourceType'))[:40]} "
                              f"(attendu {', '.join(RESOURCE_TYPES)})")
        if not _ID_RE.match(str(item.get("id", ""))):
            raise SearchError(f"identifiant FHIR invalide ou absent : {str(item.get('id'))[:70]!r}")
        result.append(item)
    return result


def admin_blueprint(store: RorStore, options: RorOptions) -> Blueprint:
    bp = Blueprint("ror_admin", __name__, url_prefix="/ror")

    def checked(session: str) -> Response | None:
        return None if valid_session_name(session) else _problem(400, f"nom de session invalide : {session!r}")

    @bp.post("/sessions/<session>/resources")
    def load(session: str) -> Response:
        if (error := checked(session)) is not None:
            return error
        body = request.get_data()
        try:
            payload: Any = json.loads(body) if body.strip().startswith(b"[") else loads_resource(body)
            resources = resources_of(payload)
        except (SearchError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            return _problem(400, getattr(exc, "message", str(exc)))
        count = store.put(session, resources)
        return _json({"session": session, "loaded": count}, 201)

    @bp.delete("/sessions/<session>/resources/<rtype>/<rid>")
    def remove(session: str, rtype: str, rid: str) -> Response:
        if (error := checked(session)) is not None:
            return error
        if not store.remove(session, rtype, rid):
            return _problem(404, f"{rtype}/{rid} absent de la session {session}")
        return Response(status=204)

    @bp.post("/sessions/<session>/volume")
    def volume(session: str) -> Response:
        if (error := checked(session)) is not None:
            return error
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return _problem(400, "corps JSON attendu : un objet {\"volume\": ..., \"region\": ...}")
        size, region = data.get("volume"), data.get("region")
        if not isinstance(size, int) or not 0 <= size <= MAX_VOLUME:
            return _problem(400, f"volume : entier entre 0 et {MAX_VOLUME} attendu")
        if region is not None and not (isinstance(region, str) and region.isalnum() and len(region) <= 3):
            return _problem(400, "region : code TRE_R30 attendu (ex. « 11 »)")
        try:
            store.set_volume(session, size, region)
            counts = store.count(session)
        except ValueError as exc:
            return _problem(400, str(exc))
        return _json({"session": session, "volume": size, "region": region, "counts": counts})

    @bp.get("/sessions/<session>/counts")
    def counts(session: str) -> Response:
        if (error := checked(session)) is not None:
            return error
        return _json({"session": session, "counts": store.count(session)})

    views: dict[str, EstablishmentView] = {}  # per session, replaced with the session's index

    def forget(session: str) -> None:  # a reset must not keep a 20,000-offer index
        views.pop(session, None)

    store.on_write.append(forget)

    @bp.get("/dashboard")
    def dashboard() -> Response:
        session = request.args.get("session") or "default"
        if (error := checked(session)) is not None:
            return error
        try:
            offset = max(0, int(request.args.get("offset", 0)))
            limit = max(1, min(int(request.args.get("limit", DASHBOARD_PAGE)), DASHBOARD_MAX_PAGE))
        except ValueError:
            return _problem(400, "offset et limit : entiers attendus")
        index = store.index(session)
        view = views.get(session)
        if view is None or view.index is not index:
            view = views[session] = EstablishmentView(index)
        page, total = view.page(offset, limit), len(view.ids)
        following = offset + limit if offset + limit < total else None
        note = f"{len(page)} établissement(s) sur {total}" + (
            f" ; suite avec offset={following}" if following is not None else "")
        return _json({"session": session, "total": total, "offset": offset, "limit": limit,
                      "next_offset": following, "note": note, "establishments": page})

    @bp.get("/nomenclatures")
    def nomenclatures_() -> Response:
        """The NOS codes the simulator emits (static data; the ROR API has no ValueSet/$expand)."""
        return _json({name: {"system": nos(name), "concepts": codes} for name, codes in nomenclatures().items()})

    @bp.get("/clients")
    def clients() -> Response:
        return _json([c.public() for c in options.clients.values()])

    @bp.post("/clients")
    def register() -> Response:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return _problem(400, "corps JSON attendu : un objet {\"client_id\": ..., \"profile\": ...}")
        cid, profile = data.get("client_id"), data.get("profile")
        if not isinstance(cid, str) or not cid or not isinstance(profile, int) or not 0 <= profile <= 5:
            return _problem(400, "client_id (texte) et profile (0 à 5) attendus")
        if profile == 0 and not data.get("secret"):
            return _problem(400, "le profil 0 s'authentifie par secret : secret attendu")
        fingerprint = str(data.get("cert_sha256", "")).replace(":", "").lower()
        if fingerprint and not re.fullmatch(r"[0-9a-f]{64}", fingerprint):
            return _problem(400, "cert_sha256 : empreinte SHA-256 du certificat attendue (64 chiffres hexadécimaux)")
        options.clients[cid] = RorClient(cid, profile, str(data.get("secret", "")), str(data.get("cert_cn", "")),
                                         fingerprint)
        return _json(options.clients[cid].public(), 201)

    return bp
