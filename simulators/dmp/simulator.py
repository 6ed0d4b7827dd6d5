"""Factory of the DMP simulator (`simulators.dmp.simulator:DmpSimulator`): builds the store, the
VIHF verifier (trusting the bench PKI), the access policy and the Flask app, and serves them on the
"dmp" port with mutual TLS required (the structure's AUTH_CLI certificate)."""

from __future__ import annotations

from simulators.core.bench import Runtime
from simulators.core.lifecycle import Lifecycle
from simulators.dmp.admin import admin_blueprint
from simulators.dmp.context import DmpOptions, Services
from simulators.dmp.rules import AccessPolicy
from simulators.dmp.seed import make_seeder
from simulators.dmp.server import BASE_PATH, FAULT_CATALOGUE, create_app, render_error
from simulators.dmp.store import DmpStore
from simulators.dmp.journey import issue_world_certs
from simulators.dmp.valuesets import load_valuesets
from simulators.identities.world import build_world
from simulators.dmp.vihf import VihfTrust, VihfVerifier


class DmpSimulator:
    name = "dmp"

    def __call__(self, rt: Runtime) -> list[Lifecycle]:
        raw = rt.config.service_options("dmp")
        options = DmpOptions.from_options(raw)
        vs = load_valuesets(raw.get("valuesets_dir"))
        world_seed = int(raw.get("world_seed", rt.config.seed))
        rt.faults.register_catalogue("dmp", FAULT_CATALOGUE)
        store = DmpStore(rt.db, seeder=make_seeder(world_seed, documents=bool(raw.get("seed_documents", True)),
                                                   repository_uid=options.repository_uid), events=rt.events)
        store.create_tables()
        rt.sessions.on_reset(store.drop_session)
        rt.shutdown_hooks.append(store.close)  # the access history still queued
        policy = AccessPolicy(vs, options.access)
        trust = VihfTrust.from_pki(rt.pki) if rt.pki is not None else None
        if rt.pki is not None:
            rt.pki.bundle_preparers.append(lambda pki: issue_world_certs(pki, build_world(world_seed)))
        verifier = VihfVerifier(vs, trust, clock_skew_s=float(raw.get("vihf_clock_skew_s", 300)),
                                max_age_s=float(raw.get("vihf_max_age_s", 86400)),
                                require_signature=bool(raw.get("require_vihf_signature", True)))
        services = Services(store=store, vs=vs, options=options, policy=policy, trust=trust)
        rt.admin_blueprints.append(admin_blueprint(store, policy, world_seed))
        wsgi = rt.wrap(create_app(services, verifier), service="dmp", render_error=render_error)
        return [rt.http_server(wsgi, service="dmp", port_name="dmp", client_auth="required", path=BASE_PATH,
                               configure="DMP URL (LPS v2): .../si-dmp-server/v2/services/{patients,habilitations,"
                                         "registry,repository} + ORG AUTH_CLI (TLS) and ORG SIGN (VIHF) certificates")]
