"""Assembles Pro Santé Connect from the bench runtime: persisted key, users, clients, options."""

from __future__ import annotations

from collections.abc import Callable

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from .rules import Directory, KnownAddress, ProSanteConnect, PscOptions
from .seed import clients_from_options, world_users
from .server import FAULTS, create_app
from .store import GrantStore, SharedGrantStore, signing_key
from .tokens import ACCESS_TTL_S, REFRESH_TTL_S, PscIssuer


@dataclass
class PscService:
    psc: ProSanteConnect
    app: Flask
    faults: dict[str, str]

    @property
    def issuer(self) -> PscIssuer:
        return self.psc.issuer


def build_psc(*, data_dir: Path | str, seed: int, options: dict[str, Any], known_address: KnownAddress,
              session_allowed: Callable[[str, str], bool] | None = None, db: Any = None) -> PscService:
    """Options (in `[services.mss]`, where PSC has always been configured): `psc_password` (the
    e-CPS code), `allow_test_password_grant` (true), `psc_access_ttl_s` (300), `psc_refresh_ttl_s`
    (1800), `psc_ciba_approval_delay_s` (2), `psc_ciba_expires_in_s` (120), `psc_ciba_interval_s`
    (5), `psc_clients` (default: public client `socle-bench-dui`). `db`: the bench database; when it
    is shared by replicas (PostgreSQL) the key and the grants live in it (docs/replicas.md)."""
    shared = db is not None and getattr(db, "shared", False)
    issuer = PscIssuer(signing_key(data_dir, db), access_ttl_s=int(options.get("psc_access_ttl_s", ACCESS_TTL_S)),
                       refresh_ttl_s=int(options.get("psc_refresh_ttl_s", REFRESH_TTL_S)))
    psc = ProSanteConnect(issuer, Directory(world_users(seed)), clients_from_options(options),
                          SharedGrantStore(db) if shared else GrantStore(),
                          PscOptions.from_options(options), known_address)
    if session_allowed is not None:
        psc.session_allowed = session_allowed
    return PscService(psc, create_app(psc), dict(FAULTS))
