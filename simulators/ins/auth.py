"""Who may call: the two INSi authentication profiles (insi.md §1).

- ``mtls``: an organisation certificate whose CN is exactly INSI-AUTO or INSI-MANU (the TLS layer
  has already refused expired, revoked and foreign certificates); any other CN gets DESIR_560.
- ``cpx``: wsse:Security carries at least one SAML 2.0 "assertion PS" signed by a certificate of the
  bench PKI and still valid; for the carte Vitale search a second (Vitale) assertion can be required,
  with its own, shorter age limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulators.core.exchange import Caller

from simulators.ins.faults import InsiFault
from simulators.ins.model import OP_VITALE, ORG_CERT_CNS, InsiRequest
from simulators.ins.saml import AssertionRejected, AssertionVerifier


def check_org_certificate(caller: Caller) -> None:
    if caller.kind != "tls":
        raise InsiFault("desir_560", "aucun certificat client présenté")
    if caller.attributes.get("cn") not in ORG_CERT_CNS:
        raise InsiFault("desir_560")


@dataclass
class CpxAuthenticator:
    verifier: AssertionVerifier
    require_vitale_assertion: bool = False
    vitale_max_age_s: float = 1200.0

    def authenticate(self, request: InsiRequest) -> Caller:
        """The PS behind the call, from the first assertion; raises the authentication fault."""
        if not request.assertions:
            raise InsiFault("bench_authentification", "wsse:Security sans assertion SAML")
        try:
            info = self.verifier.verify(request.assertions[0])
            if request.operation == OP_VITALE and self.require_vitale_assertion:
                if len(request.assertions) < 2:
                    raise AssertionRejected("assertion Vitale absente")
                self.verifier.verify(request.assertions[1], max_age_s=self.vitale_max_age_s)
        except AssertionRejected as exc:
            raise InsiFault("bench_authentification", str(exc)) from exc
        attributes = dict(info.attributes)
        attributes["certificate_subject"] = info.certificate_subject
        if info.not_on_or_after is not None:
            attributes["not_on_or_after"] = info.not_on_or_after.isoformat()
        return Caller(kind="saml", subject=info.subject, issuer=info.issuer, attributes=attributes)
