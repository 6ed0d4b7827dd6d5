"""Factory of the INSi simulator (entry point `ins` of `socle_bench.simulators`).

Builds the store (bench database), the admin blueprint and the two apps of server.py: the certificate
profile on the "ins" port (mutual TLS, CN INSI-AUTO / INSI-MANU), and, with TLS on, the CPx profile on
the "ins-cpx" port (signed SAML assertion in wsse:Security, verified against the bench PKI).
"""

from __future__ import annotations

from typing import Any

from simulators.core.lifecycle import Lifecycle
from simulators.core.runtime import Runtime
from simulators.core.service import ErrorRenderer
from simulators.core.simulator import ServiceDefinition, Simulator
from simulators.ins import faults
from simulators.ins.admin import admin_blueprint
from simulators.ins.auth import CpxAuthenticator
from simulators.ins.options import InsOptions
from simulators.ins.saml import AssertionVerifier
from simulators.ins.server import CPX_PORT_NAME, SessionLimits, create_app, make_error_renderer
from simulators.ins.store import InsStore

__all__ = ["CPX_PORT_NAME", "SERVICE", "create"]


def create(rt: Runtime, options: InsOptions) -> Simulator:
    rt.faults.register_catalogue("ins", faults.catalogue())
    store = InsStore(rt.db, seed=rt.config.seed, options=options)
    store.create_tables()
    rt.sessions.on_reset(store.drop_session)
    rt.admin_blueprints.append(admin_blueprint(store, rt.sessions, journal=rt.journal))
    renderer = make_error_renderer(options.fault_style)
    tls_on = rt.pki is not None and rt.config.tls
    limits = SessionLimits(options.bulk_per_minute, lambda name: rt.sessions.get(name).options)
    app = create_app(options, store=store, profile="mtls", enforce_cn=tls_on, limits=limits)
    hint = ("INSi, certificate profile: this URL (or /s/<session>/lps), client certificate "
            "INSI-AUTO or INSI-MANU; WSDL: ?wsdl")
    servers: list[Lifecycle] = [rt.http_server(rt.wrap(app, service="ins", render_error=renderer), service="ins",
                              client_auth="required", path="/lps", configure=hint)]
    if tls_on:
        servers.append(_cpx_server(rt, options, store, renderer, limits))
    return Simulator("ins", servers)


def _cpx_server(rt: Runtime, options: InsOptions, store: InsStore, renderer: ErrorRenderer,
                limits: SessionLimits) -> Lifecycle:
    pki = rt.pki

    def is_revoked(cert: Any) -> bool:
        for slug in ("organisations", "personnes"):
            if pki.crl(slug).get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
                return True
        return False

    verifier = AssertionVerifier(str(pki.trust_path), max_age_s=options.assertion_max_age_s,
                                 clock_skew_s=options.clock_skew_s, is_revoked=is_revoked)
    cpx = CpxAuthenticator(verifier, options.require_vitale_assertion, options.vitale_assertion_max_age_s)
    app = create_app(options, store=store, profile="cpx", cpx=cpx, limits=limits)
    return rt.http_server(rt.wrap(app, service="ins", render_error=renderer), service=CPX_PORT_NAME,
                          port_name=CPX_PORT_NAME, client_auth="optional", path="/lps",
                          configure="INSi, CPx profile: this URL (or /s/<session>/lps), signed SAML assertion "
                                    "(CPS card) in wsse:Security; WSDL: ?wsdl")


SERVICE = ServiceDefinition(name="ins", options=InsOptions.from_mapping, create=create)
