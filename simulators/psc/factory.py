"""Assembles Pro Santé Connect from the bench runtime: persisted key, users, clients, options.

`SERVICE` is PSC alone (port `psc`, options `[services.psc]`); the MSSanté factory composes it with
its operator (`assemble` + `http_server`, options read from `[services.mss]` as always) so that the
test password grant knows the session's mailboxes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask

from simulators.core.simulator import ServiceDefinition, Simulator

from .codec import REALM
from .rules import Directory, KnownAddress, ProSanteConnect, PscOptions
from .seed import world_users
from .server import FAULTS, create_app, oauth_render_error
from .store import GrantStore, SharedGrantStore, signing_key
from .tokens import PscIssuer

if TYPE_CHECKING:  # typing only: a service receives the runtime, it never builds one
    from simulators.core.bench import Runtime
    from simulators.core.lifecycle import Lifecycle

DISCOVERY = REALM + "/.well-known/wallet-openid-configuration"


@dataclass
class PscService:
    psc: ProSanteConnect
    app: Flask
    faults: dict[str, str]

    @property
    def issuer(self) -> PscIssuer:
        return self.psc.issuer


def build_psc(*, data_dir: Path | str, seed: int, options: PscOptions | Mapping[str, Any],
              known_address: KnownAddress, session_allowed: Callable[[str, str], bool] | None = None,
              db: Any = None) -> PscService:
    """`options`: a `PscOptions`, or the mapping it is read from (see `PscOptions`). `db`: the bench
    database; when it is shared by replicas (PostgreSQL) the key and the grants live in it
    (docs/replicas.md)."""
    if not isinstance(options, PscOptions):
        options = PscOptions.from_mapping(options)
    shared = db is not None and getattr(db, "shared", False)
    issuer = PscIssuer(signing_key(data_dir, db), access_ttl_s=options.access_ttl_s,
                       refresh_ttl_s=options.refresh_ttl_s)
    psc = ProSanteConnect(issuer, Directory(world_users(seed)), options.clients_by_id,
                          SharedGrantStore(db) if shared else GrantStore(), options, known_address)
    if session_allowed is not None:
        psc.session_allowed = session_allowed
    return PscService(psc, create_app(psc), dict(FAULTS))


def assemble(runtime: Runtime, options: PscOptions, known_address: KnownAddress | None = None) -> PscService:
    """PSC on the runtime's data directory, seed and sessions (a protected session needs its secret on
    the login page), its fault catalogue registered. Without `known_address` (PSC alone), the test
    password grant knows the addresses of the world's professionals."""
    seed = runtime.config.seed
    if known_address is None:
        users = Directory(world_users(seed))

        def known_address(_session: str, address: str) -> bool:
            return users.by_email(address) is not None

    def session_allowed(session: str, secret: str) -> bool:
        return not runtime.sessions.is_protected(session) or runtime.sessions.secret_matches(session, secret)

    service = build_psc(data_dir=runtime.config.data_dir, seed=seed, options=options, known_address=known_address,
                        session_allowed=session_allowed, db=runtime.db)
    runtime.faults.register_catalogue("psc", service.faults)
    return service


def http_server(runtime: Runtime, service: PscService) -> Lifecycle:
    return runtime.http_server(runtime.wrap(service.app, service="psc", render_error=oauth_render_error),
                               service="psc", port_name="psc", client_auth="none", path=REALM,
                               configure=f"simulated Pro Santé Connect: discovery at {DISCOVERY}")


def create(runtime: Runtime, options: PscOptions) -> Simulator:
    return Simulator("psc", [http_server(runtime, assemble(runtime, options))])


SERVICE = ServiceDefinition(name="psc", options=PscOptions.from_mapping, create=create)
