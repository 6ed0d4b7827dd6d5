"""Official wire-checkable requirements added from segur-requirements.md section C: mss@21 (the PDF sent
with a level-1 CDA is the encapsulated PDF) and dmp@21 (same LPS name/version on every DMP call)."""

from __future__ import annotations

import base64
import re

from conformance.checks_official import n1_pdf_identical, same_lps_on_every_call
from conformance.checks import AssertionFailed, CheckSkipped
from conformance.outcomes import Outcome
from simulators.core.exchange import Exchange
from simulators.mss.client import Patient, build_patient_xdm, compose
from simulators.mss.codec.xdm import XdmDocument, build_xdm, parse_xdm

import pytest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELISE = Patient("211099304821493", "1.2.250.1.213.1.4.10", "D'ALMEIDA-ROCHE", "ELISE", "2011-09-22", "F")


def n1_xdm(pdf: bytes) -> bytes:
    """An IHE_XDM whose CDA is level 1 with ``pdf`` base64-encoded in its nonXMLBody."""
    archive, cda = build_patient_xdm(ELISE, code="57833-6", label="ordonnance")
    n1 = re.sub(rb'<text mediaType="text/plain">.*?</text>',
                b'<text mediaType="application/pdf" representation="B64">' + base64.b64encode(pdf) + b"</text>",
                cda, flags=re.S)
    assert n1 != cda
    subset = parse_xdm(archive).subsets[0]
    return build_xdm([XdmDocument("DOC0001.XML", n1, entry=subset.entries[0])], subset.submission_set)


def send(xdm: bytes | None, attached_pdf: bytes | None) -> Exchange:
    attachments = [("ordonnance.pdf", "application/pdf", attached_pdf)] if attached_pdf is not None else []
    msg = compose("medecin@cabinet.mssante.test", "Dr Test", ["mecs@horizon.mssante.test"], "XDM/1.0/DDM+ordonnance",
                  "Ordonnance jointe.", xdm=xdm, cda_codes=["57833-6"], ins_qualified=True, attachments=attachments)
    return Exchange(session="s", service="mss", operation="send", started_at=1.0, protocol="smtp", status=250,
                    request_body=msg.as_bytes())


def test_mss_21_passes_when_the_attached_pdf_is_the_encapsulated_one():
    assert "identique" in n1_pdf_identical(send(n1_xdm(PDF), PDF))


def test_mss_21_fails_when_the_attached_pdf_differs():
    with pytest.raises(AssertionFailed, match="identique octet pour octet"):
        n1_pdf_identical(send(n1_xdm(PDF), PDF.replace(b"1.4", b"1.7")))


def test_mss_21_skips_only_without_a_level_1_cda_or_without_an_attached_pdf():
    archive, _cda = build_patient_xdm(ELISE, code="57833-6", label="ordonnance")
    with pytest.raises(CheckSkipped, match="niveau 1"):
        n1_pdf_identical(send(archive, PDF))
    with pytest.raises(CheckSkipped, match="aucun PDF joint"):
        n1_pdf_identical(send(n1_xdm(PDF), None))


def dmp_call(lps: str, at: float) -> Exchange:
    return Exchange(session="s", service="dmp", operation="ITI-18", started_at=at, status=200,
                    summary={"vihf": {"lps": lps}})


def test_dmp_21_same_lps_on_every_call():
    [ok] = same_lps_on_every_call([dmp_call("DUI 1.0", 1), dmp_call("DUI 1.0", 2)])
    assert ok.outcome is Outcome.PASS
    [bad] = same_lps_on_every_call([dmp_call("DUI 1.0", 1), dmp_call("DUI 1.1", 2)])
    assert bad.outcome is Outcome.FAIL and "DUI 1.1" in bad.message
    with pytest.raises(AssertionFailed):
        same_lps_on_every_call([dmp_call("", 1)])


def tls_call(service: str, issuer_cn: str, not_after: str = "2099-01-01T00:00:00+00:00") -> Exchange:
    from simulators.core.exchange import Caller

    attributes = {"issuer_cn": issuer_cn, "not_before": "2020-01-01T00:00:00+00:00", "not_after": not_after}
    if service == "ins":
        caller = Caller(kind="tls", subject="CN=INSI-AUTO", issuer=f"CN={issuer_cn}", attributes=attributes)
    else:  # the DMP keeps the handshake certificate next to the VIHF caller
        caller = Caller(kind="saml", subject="Dr Test", attributes={
            "tls_issuer": f"CN={issuer_cn}", "tls_issuer_cn": issuer_cn,
            "tls_not_before": attributes["not_before"], "tls_not_after": not_after})
    return Exchange(session="s", service=service, operation="op", started_at=1_800_000_000.0, method="POST",
                    caller=caller)


@pytest.mark.parametrize("service", ["ins", "dmp"])
def test_igc_sante_organisation_certificate_at_the_handshake(service):
    from conformance.checks_official import igc_sante_org_certificate

    assert "IGC-Santé" in igc_sante_org_certificate(tls_call(service, "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS"))
    with pytest.raises(AssertionFailed, match="certificat d'organisation IGC-Santé"):
        igc_sante_org_certificate(tls_call(service, "Let's Encrypt R3"))
    with pytest.raises(AssertionFailed, match="en cours de validité"):
        igc_sante_org_certificate(tls_call(service, "AC IGC-SANTE ELEMENTAIRE ORGANISATIONS", "2021-01-01T00:00:00Z"))
    with pytest.raises(CheckSkipped, match="aucun certificat client TLS"):
        igc_sante_org_certificate(Exchange(session="s", service=service, operation="op", started_at=1.0))
