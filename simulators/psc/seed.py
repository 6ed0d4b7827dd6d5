"""PSC's users: the bench world's professionals who hold an RPPS (PSC identifies a professional by
the national id of the Annuaire Santé; mss.md §2.3 [S6], ANS API Pro Santé Connect: "Identifiant
national : RPPS (ou ADELI)")."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from simulators.identities.world import build_world

from .model import Client, PscUser

DEFAULT_CLIENT_ID = "socle-bench-dui"


@lru_cache(maxsize=8)
def world_users(seed: int) -> tuple[PscUser, ...]:
    world = build_world(seed)
    establishments = {e.id: e for e in world.establishments}
    users = []
    for pro in world.professionals:
        if not pro.idnps:
            continue
        est = establishments.get(pro.establishment_id)
        users.append(PscUser(
            national_id=pro.idnps, rpps=pro.rpps or "", civility=pro.civility, first_name=pro.first_name,
            last_name=pro.last_name, profession_code=pro.profession_code, profession_label=pro.profession_label,
            specialty_code=pro.specialty_code, email=pro.mss_address.lower(),
            organisation_id=est.idnst if est else "", organisation_name=est.name if est else "",
            finess=(est.finess_et or "") if est else ""))
    return tuple(users)


def clients_from_options(options: Mapping[str, Any]) -> dict[str, Client]:
    """`[services.mss] psc_clients = {id = {secret = "...", redirect_uris = [...]}}`; default: one
    public client `socle-bench-dui` accepting any redirect URI (PKCE required for it)."""
    configured = options.get("psc_clients") or {DEFAULT_CLIENT_ID: {}}
    return {str(cid): Client(str(cid), str(spec.get("secret", "")), tuple(spec.get("redirect_uris", ())))
            for cid, spec in configured.items()}
