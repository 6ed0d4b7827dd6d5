"""Factory of the DMP simulator (entry point `dmp` of `socle_bench.simulators`).

Builds the store, the VIHF verifier (trusting the bench PKI), the access policy and the Flask app of
server.py, and serves them on the "dmp" port with mutual TLS required (the structure's AUTH_CLI
certificate).
"""

from __future__ import annotations

from simulators.core.runtime import Runtime
from simulators.core.simulator import ServiceDefinition, Simulator
from simulators.dmp.admin import admin_blueprint
from simulators.dmp.context import Services
from simulators.dmp.journey import issue_world_certs
from simulators.dmp.model import BASE_PATH
from simulators.dmp.options import DmpOptions
from simulators.dmp.rules import AccessPolicy
from simulators.dmp.seed import make_seeder
from simulators.dmp.server import FAULT_CATALOGUE, create_app, render_error
from simulators.dmp.store import DmpStore
from simulators.dmp.valuesets import load_valuesets
from simulators.dmp.vihf import VihfTrust, VihfVerifier
from simulators.identities.world import build_world

__all__ = ["SERVICE", "create"]


def create(rt: Runtime, options: DmpOptions) -> Simulator:
    vs = load_valuesets(options.valuesets_dir)
    world_seed = options.seed(rt.config.seed)
    rt.faults.register_catalogue("dmp", FAULT_CATALOGUE)
    store = DmpStore(rt.db, seeder=make_seeder(world_seed, documents=options.seed_documents,
                                               repository_uid=options.repository_uid), events=rt.events)
    store.create_tables()
    rt.sessions.on_reset(store.drop_session)
    rt.shutdown_hooks.append(store.close)  # the access history still queued
    policy = AccessPolicy(vs, options.access)
    trust = VihfTrust.from_pki(rt.pki) if rt.pki is not None else None
    if rt.pki is not None:
        rt.pki.bundle_preparers.append(lambda pki: issue_world_certs(pki, build_world(world_seed)))
    verifier = VihfVerifier(vs, trust, clock_skew_s=options.vihf_clock_skew_s, max_age_s=options.vihf_max_age_s,
                            require_signature=options.require_vihf_signature)
    services = Services(store=store, vs=vs, options=options, policy=policy, trust=trust)
    rt.admin_blueprints.append(admin_blueprint(store, policy, world_seed))
    wsgi = rt.wrap(create_app(services, verifier), service="dmp", render_error=render_error)
    return Simulator("dmp", [rt.http_server(
        wsgi, service="dmp", port_name="dmp", client_auth="required", path=BASE_PATH,
        configure="DMP URL (LPS v2): .../si-dmp-server/v2/services/{patients,habilitations,"
                  "registry,repository} + ORG AUTH_CLI (TLS) and ORG SIGN (VIHF) certificates")])


SERVICE = ServiceDefinition(name="dmp", options=DmpOptions.from_mapping, create=create)
