"""Factory of the MSSanté simulator: SMTP + IMAP operator, mock Pro Santé Connect, Annuaire Santé.

Options (`[services.mss]` in the bench TOML):
- `max_message_bytes` operator size limit (default 20 Mo; Mon espace santé is always 25 Mo);
  `max_recipients` (1000); `hostname` (the operator's name in DSNs and Received);
- `liste_blanche` path of an XML liste blanche (`//Domaine/Nom`) replacing the world's domains;
  `extra_trust_domains` (list) added to either;
- `return_receipt_dsn` (true), `auto_mdn` (true), `app_plain_login` (true: an APP box may end its
  certificate login with PLAIN/LOGIN, the password being ignored; false: EXTERNAL only);
- `psc_password` (e-CPS code of the mock PSC), `annuaire_api_keys` (empty: any non-empty key);
- `tls_certificate` PKI server certificate SMTP/IMAP present (default `localhost`): name an expired,
  revoked or foreign one issued with `socle-bench pki` to check that the DUI refuses it (ECO.1.1.4-7).
"""

from __future__ import annotations

from pathlib import Path

from simulators.core.bench import Runtime
from simulators.core.lifecycle import Lifecycle

from .admin import admin_blueprint
from .annuaire import create_app as create_annuaire_app
from .annuaire import fhir_error
from .auth import MailAuthenticator
from .delivery import Operator, OperatorOptions
from .imap import imap_lifecycle
from .psc import create_app as create_psc_app
from .psc_tokens import PscIssuer
from .rules import MES_LIMIT_BYTES, TrustSpace
from .seed import trust_domains, world_mailboxes
from .smtp import MssSmtpHandler, smtp_lifecycle
from .store import MssStore

FAULTS = {
    "smtp_421": "SMTP 421 : service temporairement indisponible",
    "smtp_451": "SMTP 451 : erreur locale de traitement",
    "smtp_452": "SMTP 452 : espace de stockage insuffisant",
    "smtp_554": "SMTP 554 : transaction refusée",
}


class MssSimulator:
    name = "mss"

    def __call__(self, rt: Runtime) -> list[Lifecycle]:
        options = rt.config.service_options("mss")
        rt.faults.register_catalogue("mss", FAULTS)
        seed = rt.config.seed
        store = MssStore(rt.db, seeder=lambda _session: list(world_mailboxes(seed)))
        store.create_tables()
        rt.sessions.on_reset(store.drop_session)
        trust = TrustSpace.of(set(trust_domains(seed)) | set(options.get("extra_trust_domains", [])))
        if options.get("liste_blanche"):  # an XML liste blanche (//Domaine/Nom) replaces the world's domains
            loaded = TrustSpace.from_xml(Path(str(options["liste_blanche"])).read_bytes())
            trust = TrustSpace(loaded.domains | set(options.get("extra_trust_domains", [])))
        issuer = PscIssuer(seed)
        operator = Operator(store, trust, OperatorOptions.from_options(options))
        authenticator = MailAuthenticator(store, issuer, rt.sessions)
        rt.admin_blueprints.append(admin_blueprint(store, trust, issuer))
        host = rt.config.host
        certificate = str(options.get("tls_certificate", "localhost"))
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

        def known_address(session: str, address: str) -> bool:
            try:
                box = store.mailbox(rt.sessions.resolve(session), address)
            except Exception:  # noqa: BLE001 - invalid or unknown session: not a known box
                return False
            return box is not None and box.kind != "APP"

        psc_app = create_psc_app(issuer, known_address=known_address, password=options.get("psc_password", "socle-bench"))
        psc = rt.http_server(rt.wrap(psc_app, service="psc"), service="psc", port_name="psc", client_auth="none",
                             configure="simulated Pro Santé Connect: token from /auth/realms/esante-wallet/...",
                             path="/auth/realms/esante-wallet")
        keys = tuple(options.get("annuaire_api_keys", ()))
        annuaire_app = create_annuaire_app(lambda session: store.mailboxes(rt.sessions.resolve(session)), api_keys=keys)
        annuaire = rt.http_server(rt.wrap(annuaire_app, service="annuaire", render_error=fhir_error), service="annuaire",
                                  port_name="annuaire", client_auth="none", path="/fhir/v2",
                                  configure="simulated Annuaire Santé FHIR v2: ESANTE-API-KEY header required")
        return [smtp, imap, psc, annuaire]
