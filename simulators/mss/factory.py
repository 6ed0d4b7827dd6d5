"""Factory of the MSSanté simulator: the SMTP + IMAP operator, composed with the mock Pro Santé
Connect (`simulators.psc`, port `psc`) and Annuaire Santé (`simulators.annuaire`, port `annuaire`)
it feeds with its mailboxes. Options: `simulators.mss.options.MssOptions` (`[services.mss]`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from simulators.annuaire import factory as annuaire_factory
from simulators.core.simulator import ServiceDefinition, Simulator
from simulators.psc import factory as psc_factory

from .admin import admin_blueprint
from .options import MssOptions
from .rules import MES_LIMIT_BYTES, TrustSpace
from .seed import bind_app_boxes, dui_fingerprint, trust_domains, world_mailboxes
from .server.auth import MailAuthenticator
from .server.delivery import Operator
from .server.imap import imap_lifecycle
from .server.smtp import MssSmtpHandler, smtp_lifecycle
from .store import MssStore

if TYPE_CHECKING:  # typing only: a service receives the runtime, it never builds one
    from simulators.core.bench import Runtime

FAULTS = {
    "smtp_421": "SMTP 421 : service temporairement indisponible",
    "smtp_451": "SMTP 451 : erreur locale de traitement",
    "smtp_452": "SMTP 452 : espace de stockage insuffisant",
    "smtp_554": "SMTP 554 : transaction refusée",
}


def trust_space(options: MssOptions, seed: int) -> TrustSpace:
    """The world's domains, or an XML liste blanche (//Domaine/Nom) replacing them, plus the extra ones."""
    extra = set(options.extra_trust_domains)
    if options.liste_blanche:
        return TrustSpace(TrustSpace.from_xml(Path(options.liste_blanche).read_bytes()).domains | extra)
    return TrustSpace.of(set(trust_domains(seed)) | extra)


def create(rt: Runtime, options: MssOptions) -> Simulator:
    rt.faults.register_catalogue("mss", FAULTS)
    seed = rt.config.seed
    fingerprint = dui_fingerprint(rt.pki)
    store = MssStore(rt.db, seeder=lambda _session: bind_app_boxes(world_mailboxes(seed), fingerprint))
    store.create_tables()
    rt.sessions.on_reset(store.drop_session)
    trust = trust_space(options, seed)

    def mailboxes(session: str) -> dict:
        return store.mailboxes(rt.sessions.resolve(session))

    def known_address(session: str, address: str) -> bool:
        try:
            box = store.mailbox(rt.sessions.resolve(session), address)
        except Exception:  # noqa: BLE001 - invalid or unknown session: not a known box
            return False
        return box is not None and box.kind != "APP"

    psc_service = psc_factory.assemble(rt, options.psc, known_address)
    operator = Operator(store, trust, options.operator)
    authenticator = MailAuthenticator(store, psc_service.issuer, rt.sessions)
    rt.admin_blueprints.append(admin_blueprint(store, trust, psc_service.psc))
    annuaire_factory.register_admin(rt, mailboxes)
    host = rt.config.host
    certificate = options.tls_certificate
    size_limit = max(operator.options.max_message_bytes, MES_LIMIT_BYTES) + 64 * 1024  # SMTP SIZE = APPENDLIMIT
    smtp = smtp_lifecycle(
        MssSmtpHandler(operator, authenticator, rt), host=host, port=rt.config.port("smtp"),
        tls_context=rt.server_tls(certificate, client_auth="optional"),
        data_size_limit=size_limit,
        hostname=operator.options.hostname,
        configure="MSSanté submission SMTP: STARTTLS then AUTH XOAUTH2 (PSC token) or EXTERNAL (BAL APP)")
    imap = imap_lifecycle(
        store, authenticator, rt.journal, host=host, port=rt.config.port("imap"),
        app_plain_login=operator.options.app_plain_login, max_append_len=size_limit,
        tls_context=rt.server_tls(certificate, client_auth="optional"),
        configure="MSSanté IMAP: STARTTLS then AUTHENTICATE XOAUTH2 or EXTERNAL; login [session/]address")
    psc = psc_factory.http_server(rt, psc_service)
    annuaire = annuaire_factory.http_server(rt, options.annuaire, mailboxes)
    return Simulator("mss", [smtp, imap, psc, annuaire])


SERVICE = ServiceDefinition(name="mss", options=MssOptions.from_mapping, create=create)
