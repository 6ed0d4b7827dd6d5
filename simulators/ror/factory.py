"""Factory of the ROR simulator (entry point `ror` of `socle_bench.simulators`).

Builds the store (seeded per session from the world, or generated at a volume), the token issuer,
the search engine, the `$export` jobs and the Flask app of server.py, served on the "ror" port.
"""

from __future__ import annotations

from simulators.core.runtime import Runtime
from simulators.core.simulator import ServiceDefinition, Simulator
from simulators.ror.admin import admin_blueprint
from simulators.core.shared import shared_signing_key_pem
from simulators.ror.auth import SigningKey, TokenIssuer
from simulators.ror.engine import RorService
from simulators.ror.export import ExportJobs
from simulators.ror.generator import generated, prepare
from simulators.ror.model import TOKEN_PATH
from simulators.ror.options import RorOptions
from simulators.ror.seed import seed_resources
from simulators.ror.server import CATALOGUE, create_app, render_error
from simulators.ror.store import RorStore

__all__ = ["SERVICE", "create"]


def create(rt: Runtime, options: RorOptions) -> Simulator:
    rt.faults.register_catalogue("ror", CATALOGUE)
    seed = rt.config.seed
    store = RorStore(rt.db,
                     seeder=lambda _s: seed_resources(seed, mecs=options.mecs, ig_examples=options.ig_examples),
                     generator=lambda volume, region: generated(volume, seed, region),
                     default_volume=options.volume, default_region=options.region)
    store.create_tables()
    if options.volume:
        prepare(options.volume, seed, options.region)  # generated at start-up, not on the first search
    tls = bool(rt.pki is not None and rt.config.tls)
    # replicas over one PostgreSQL share the signing key (random, created once in the database)
    shared_key = SigningKey.from_pem(shared_signing_key_pem(rt.db, "ror")) if rt.db.shared else None
    issuer = TokenIssuer("ror-simulateur/auth/realms/ror", ttl_s=options.token_ttl_s, key=shared_key)
    service = RorService(store, options, issuer)
    exports = ExportJobs(options.export_delay_s)
    rt.sessions.on_reset(store.drop_session)
    rt.sessions.on_reset(exports.drop_session)
    rt.admin_blueprints.append(admin_blueprint(store, options))
    app = create_app(options, service=service, issuer=issuer, tls=tls, exports=exports)
    wsgi = rt.wrap(app, service="ror", render_error=render_error)
    return Simulator("ror", [rt.http_server(
        wsgi, service="ror", client_auth="optional", path=options.base + "/",
        configure=f"ROR FHIR API: [/s/<session>]{options.base}; OAuth2 token: "
                  f"[/s/<session>]{TOKEN_PATH} (same session prefix as the FHIR calls)")])


SERVICE = ServiceDefinition(name="ror", options=RorOptions.from_mapping, create=create)
