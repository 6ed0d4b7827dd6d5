"""Factory of the MSSanté simulator: SMTP + IMAP operator, mock Pro Santé Connect, Annuaire Santé.

Options (`[services.mss]` in the bench TOML):
- `max_message_bytes` operator size limit (default 20 Mo; Mon espace santé is always 25 Mo);
  `max_recipients` (1000); `hostname` (the operator's name in DSNs and Received);
- `liste_blanche` path of an XML liste blanche (`//Domaine/Nom`) replacing the world's domains;
  `extra_trust_domains` (list) added to either;
- `return_receipt_dsn` (true), `auto_mdn` (true), `app_plain_login` (true: an APP box may end its
  certificate login with PLAIN/LOGIN, the password being ignored; false: EXTERNAL only);
- Pro Santé Connect (`simulators.psc`, port `psc`): `psc_password` (the e-CPS code of the login
  page), `allow_test_password_grant`, `psc_access_ttl_s`, `psc_refresh_ttl_s`, `psc_ciba_*`,
  `psc_clients` (see `simulators.psc.factory.build_psc`); `annuaire_api_keys` (keys the Annuaire gateway
  accepts; empty: the documented test keys `socle-bench-test-key`, `socle-bench-dui-de-reference`);
- `tls_certificate` PKI server certificate SMTP/IMAP present (default `localhost`): name an expired,
  revoked or foreign one issued with `socle-bench pki` to check that the DUI refuses it (ECO.1.1.4-7).
"""

from __future__ import annotations

from pathlib import Path

from simulators.core.bench import Runtime
from simulators.core.lifecycle import Lifecycle
from simulators.identities.world import build_world
from simulators.psc import build_psc
from simulators.psc.server import oauth_render_error

from .admin import admin_blueprint
from .annuaire import create_app as create_annuaire_app
from .annuaire import fhir_error
from .annuaire_view import annuaire_blueprint
from .auth import MailAuthenticator
from .delivery import Operator, OperatorOptions
from .imap import imap_lifecycle
from .rules import MES_LIMIT_BYTES, TrustSpace
from .seed import bind_app_boxes, dui_fingerprint, trust_domains, world_mailboxes
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
        fingerprint = dui_fingerprint(rt.pki)
        store = MssStore(rt.db, seeder=lambda _session: bind_app_boxes(world_mailboxes(seed), fingerprint))
        store.create_tables()
        rt.sessions.on_reset(store.drop_session)
        trust = TrustSpace.of(set(trust_domains(seed)) | set(options.get("extra_trust_domains", [])))
        if options.get("liste_blanche"):  # an XML liste blanche (//Domaine/Nom) replaces the world's domains
            loaded = TrustSpace.from_xml(Path(str(options["liste_blanche"])).read_bytes())
            trust = TrustSpace(loaded.domains | set(options.get("extra_trust_domains", [])))

        def known_address(session: str, address: str) -> bool:
            try:
                box = store.mailbox(rt.sessions.resolve(session), address)
            except Exception:  # noqa: BLE001 - invalid or unknown session: not a known box
                return False
            return box is not None and box.kind != "APP"

        def session_allowed(session: str, secret: str) -> bool:
            return not rt.sessions.is_protected(session) or rt.sessions.secret_matches(session, secret)

        psc_service = build_psc(data_dir=rt.config.data_dir, seed=seed, options=options, known_address=known_address,
                                session_allowed=session_allowed, db=rt.db)
        rt.faults.register_catalogue("psc", psc_service.faults)
        operator = Operator(store, trust, OperatorOptions.from_options(options))
        authenticator = MailAuthenticator(store, psc_service.issuer, rt.sessions)
        rt.admin_blueprints.append(admin_blueprint(store, trust, psc_service.psc))
        rt.admin_blueprints.append(annuaire_blueprint(lambda session: store.mailboxes(rt.sessions.resolve(session))))
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
        psc = rt.http_server(rt.wrap(psc_service.app, service="psc", render_error=oauth_render_error), service="psc",
                             port_name="psc", client_auth="none", path="/auth/realms/esante-wallet",
                             configure="simulated Pro Santé Connect: discovery at "
                                       "/auth/realms/esante-wallet/.well-known/wallet-openid-configuration")
        keys = tuple(options.get("annuaire_api_keys", ()))
        annuaire_app = create_annuaire_app(lambda session: store.mailboxes(rt.sessions.resolve(session)), api_keys=keys,
                                           establishments=build_world(rt.config.seed).establishments)
        annuaire = rt.http_server(rt.wrap(annuaire_app, service="annuaire", render_error=fhir_error), service="annuaire",
                                  port_name="annuaire", client_auth="none", path="/fhir/v2",
                                  configure="simulated Annuaire Santé FHIR v2: ESANTE-API-KEY header required")
        return [smtp, imap, psc, annuaire]
