"""The DMP accepts a VIHF only from the structure's ORG_SIGN certificate (the cachet), and a revoked signer
is refused on the very next request after `pki revoke` — even when the VIHF was verified a moment before."""

from __future__ import annotations

from dataclasses import replace

import pytest

from simulators.core.pki import CertRequest
from simulators.dmp.client import DmpFault
from simulators.dmp.journey import issue_org_certs
from simulators.dmp.valuesets import load_valuesets
from simulators.dmp.vihf import VihfTrust, VihfVerifier, build_vihf
from tests.dmp.test_vihf import MECS, claims, header, refused


def test_a_vihf_signed_with_the_auth_cli_key_is_refused(pki, world) -> None:
    auth, _ = issue_org_certs(pki, world, "mecs-les-tilleuls")
    verifier = VihfVerifier(load_valuesets(), VihfTrust.from_pki(pki))
    error = refused(verifier, build_vihf(claims(), pki.certificate(auth), pki.private_key(auth)))
    assert error.reason == "vihf_cert_usage" and "ORG_SIGN" in str(error)


@pytest.mark.parametrize("cert", ["server", "cps"])
def test_a_vihf_signed_by_a_server_certificate_or_a_card_in_indirect_mode_is_refused(pki, cert: str) -> None:
    verifier = VihfVerifier(load_valuesets(), VihfTrust.from_pki(pki))
    error = refused(verifier, build_vihf(claims(), pki.certificate(cert), pki.private_key(cert)))
    assert error.reason in ("vihf_cert_usage", "vihf_structure_id")


def test_auth_cli_signed_vihf_is_a_soap_fault_over_the_wire(make_client, pki, world) -> None:
    doctor = make_client("medecin-elise")
    auth = f"dmp-{world.professional('medecin-elise').establishment_id}-auth"
    doctor.identity = replace(doctor.identity, sign_cert=pki.certificate(auth), sign_key=pki.private_key(auth))
    fanny = world.person("fanny")
    with pytest.raises(DmpFault) as caught:
        doctor.test_existence(fanny.ins.value, fanny.ins.oid)
    assert caught.value.status == 400 and "ORG_SIGN" in caught.value.reason


def test_revocation_is_effective_at_once(pki) -> None:
    name = "vihf-sign-revoked-now"
    pki.issue(CertRequest("sign", name=name, cn="MECS LES TILLEULS", organisation="Association Horizon Enfance",
                          structure_id=MECS), exist_ok=True)
    verifier = VihfVerifier(load_valuesets(), VihfTrust.from_pki(pki))
    assertion = build_vihf(claims(), pki.certificate(name), pki.private_key(name))
    assert verifier.verify(header(assertion)).signed  # checked and cached
    pki.revoke(name)
    assert refused(verifier, assertion).reason == "vihf_cert_revoked"  # no grace period
