"""Options of the MSSanté simulator (`[services.mss]` in the bench TOML), read once into a frozen
record. Pro Santé Connect and the Annuaire Santé it mounts read theirs from the same table, as they
always have (`psc_*`, `allow_test_password_grant`, `annuaire_api_keys`).

- `max_message_bytes` operator size limit (default 20 Mo; Mon espace santé is always 25 Mo);
  `max_recipients` (1000); `hostname` (the operator's name in DSNs and Received);
- `liste_blanche` path of an XML liste blanche (`//Domaine/Nom`) replacing the world's domains;
  `extra_trust_domains` (list) added to either;
- `return_receipt_dsn` (true), `auto_mdn` (true), `app_plain_login` (true: an APP box may end its
  certificate login with PLAIN/LOGIN, the password being ignored; false: EXTERNAL only);
- Pro Santé Connect (`simulators.psc`, port `psc`): `psc_password` (the e-CPS code of the login
  page), `allow_test_password_grant`, `psc_access_ttl_s`, `psc_refresh_ttl_s`, `psc_ciba_*`,
  `psc_clients` (see `simulators.psc.rules.PscOptions`); `annuaire_api_keys` (keys the Annuaire gateway
  accepts; empty: the documented test keys `socle-bench-test-key`, `socle-bench-dui-de-reference`);
- `tls_certificate` PKI server certificate SMTP/IMAP present (default `localhost`): name an expired,
  revoked or foreign one issued with `socle-bench pki` to check that the DUI refuses it (ECO.1.1.4-7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulators.annuaire.factory import AnnuaireOptions
from simulators.psc.rules import PscOptions

from .server.delivery import OperatorOptions


@dataclass(frozen=True)
class MssOptions:
    operator: OperatorOptions = field(default_factory=OperatorOptions)
    liste_blanche: str = ""
    extra_trust_domains: tuple[str, ...] = ()
    tls_certificate: str = "localhost"
    psc: PscOptions = field(default_factory=PscOptions)
    annuaire: AnnuaireOptions = field(default_factory=AnnuaireOptions)

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> MssOptions:
        return cls(operator=OperatorOptions.from_options(options),
                   liste_blanche=str(options.get("liste_blanche") or ""),
                   extra_trust_domains=tuple(options.get("extra_trust_domains", ())),
                   tls_certificate=str(options.get("tls_certificate", "localhost")),
                   psc=PscOptions.from_mapping(options), annuaire=AnnuaireOptions.from_mapping(options))
