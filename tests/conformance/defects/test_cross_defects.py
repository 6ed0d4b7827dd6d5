"""Seeded defects of the cross-service rules (``parcours@``, ``socle@``), of the official requirements added by
issue 14 (``dmp@21``, ``dmp@22``, ``insi@18``, ``mss@21``) and of the generic refusal (``bench@6``, ``dmp@18``)."""

from __future__ import annotations

import contextlib
import base64
import hashlib
import re
from collections.abc import Callable

import pytest

from tests.conformance.defects import test_acceptance as acceptance
from tests.conformance.defects import test_dmp_defects as dmp
from tests.conformance.defects import test_ins_defects as ins
from tests.conformance.defects import test_mss_defects as mss
from tests.conformance.defects.harness import DefectBench, assert_caught


def with_reference_dui(defect: str, action: Callable) -> Callable[[DefectBench, str], None]:  # type: ignore[type-arg]
    def run(bench: DefectBench, session: str) -> None:
        dui = acceptance.ReferenceDui(defects=(defect,))
        dui.open(bench.target(session))
        try:
            action(dui, acceptance.Cast(bench.world, "elise"))
        finally:
            dui.close()
    return run


def patient_address_without_insi(bench: DefectBench, session: str) -> None:
    kit = mss.Kit(bench)
    address = kit.elise.mes_address
    kit.send(session, mss.raw_of(kit.message(to=[address])), [address])


def other_lps_version(bench: DefectBench, session: str) -> None:
    kit = dmp.Kit(bench)
    dmp._vihf_call(kit, session)
    dmp._vihf_call(kit, session, lps_version="2.0-beta")


def _client_with_tls(kit: dmp.Kit, session: str, name: str) -> dmp.DmpClient:
    client = kit.client(session)
    pki = kit.bench.pki
    client.identity.tls_cert = (str(pki.file(name, "chain") if (pki.directory / "certs" / f"{name}.chain.pem").exists()
                                    else pki.file(name, "cert")), str(pki.file(name, "key")))
    return client


def dmp_tls_personal_card(bench: DefectBench, session: str) -> None:
    kit = dmp.Kit(bench)
    client = _client_with_tls(kit, session, "cps")
    with contextlib.suppress(Exception):
        client.list_authorizations(kit.ins, kit.oid)


def insi_tls_personal_card(bench: DefectBench, session: str) -> None:
    pki = bench.pki
    ins.Kit(bench).post(session, ins.ELISE, cert=(str(pki.file("cps", "cert")), str(pki.file("cps", "key"))))


def pdf_differs_from_cda(bench: DefectBench, session: str) -> None:
    kit = mss.Kit(bench)
    xdm, cda = kit.xdm()
    encapsulated = b"%PDF-1.4\n% ordonnance version signee\n"
    new_cda = re.sub(rb'<text mediaType="text/plain">.*?</text>',
                     b'<text mediaType="application/pdf" representation="B64">' + base64.b64encode(encapsulated)
                     + b"</text>", cda, count=1, flags=re.S)

    def metadata(data: bytes) -> bytes:
        data = data.replace(hashlib.sha1(cda, usedforsecurity=False).hexdigest().encode(), hashlib.sha1(new_cda, usedforsecurity=False).hexdigest().encode())
        return data.replace(f"<rim:Value>{len(cda)}</rim:Value>".encode(), f"<rim:Value>{len(new_cda)}</rim:Value>".encode())

    archive = mss.rezip(xdm, {"DOC0001.XML": lambda _d: new_cda, "METADATA.XML": metadata})
    attached = b"%PDF-1.4\n% ordonnance brouillon\n"  # defect: the draft, not the PDF of the CDA
    msg = kit.xdm_message(archive, attachments=[("20260101_ORD_DALMEIDAROCHE_Elise_1.pdf", "application/pdf", attached)])
    kit.send(session, mss.raw_of(msg))


def create_dmp_without_consent(bench: DefectBench, session: str) -> None:
    kit = dmp.Kit(bench)
    nir = "2991299999999"
    ins = nir + f"{97 - int(nir) % 97:02d}"  # a newborn's INS, valid key, no DMP yet
    client = kit.client(session)
    with contextlib.suppress(Exception):
        client.create_dmp(ins, kit.oid, family="NOUVEAU", given="NE", gender="F", birth_date="20261201",
                          consent=False)


def unknown_patient_search(bench: DefectBench, session: str) -> None:
    """A request the simulator refuses for a reason no more precise requirement names: the generic bench@6."""
    kit = dmp.Kit(bench)
    client = kit.client(session)
    with contextlib.suppress(Exception):
        client.query(kit.ins, kit.oid, "urn:uuid:00000000-0000-0000-0000-000000000000", {})


DEFECTS: list[tuple[str, str, Callable[[DefectBench, str], None]]] = [
    ("rapport-au-juge-par-mssante", "parcours@1", with_reference_dui("mss.outside-trust-space",
                                                                     acceptance.write_to_judge)),
    ("rapport-d-echeance-au-dmp", "parcours@2", with_reference_dui("dmp.feeds-everything",
                                                                   acceptance.feed_educational_report)),
    ("dmp-avec-ins-non-qualifiee", "parcours@3", with_reference_dui(
        "dmp.unqualified-ins", lambda dui, cast: acceptance.feed_prescription(dui, cast, qualify=False))),
    ("adresse-patient-sans-qualification-insi", "socle@2", patient_address_without_insi),
    ("lps-version-change-en-cours-de-session", "dmp@21", other_lps_version),
    ("tls-dmp-avec-carte-personnelle", "dmp@22", dmp_tls_personal_card),
    ("tls-insi-avec-carte-personnelle", "insi@18", insi_tls_personal_card),
    ("pdf-joint-different-du-pdf-du-cda", "mss@21", pdf_differs_from_cda),
    ("creation-dmp-sans-consentement", "dmp@18", create_dmp_without_consent),
    ("requete-stockee-inconnue", "bench@6", unknown_patient_search),
]


@pytest.mark.parametrize(("name", "expected", "defect"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_cross_service_defect_is_caught(defect_bench: DefectBench, request: pytest.FixtureRequest, name: str,
                                        expected: str, defect) -> None:
    session = defect_bench.session("transverse")
    defect(defect_bench, session)
    defect_bench.wait_for_exchanges(session)
    assert_caught(request.node, defect_bench, session, service=expected.split("@")[0], defect=name, expected=expected)


def test_a_correct_cross_service_run_passes(defect_bench: DefectBench) -> None:
    """INSi first, then the DMP and a patient address: no cross-service rule fails."""
    session = defect_bench.session("transverse-correct")
    ins.Kit(defect_bench).post(session, ins.ELISE)
    kit = dmp.Kit(defect_bench)
    assert kit.client(session).feed([(kit.spec(), ())]).ok
    mail = mss.Kit(defect_bench)
    address = mail.elise.mes_address
    mail.send(session, mss.raw_of(mail.message(to=[address])), [address])
    defect_bench.wait_for_exchanges(session)
    verdict = defect_bench.judge(session)
    assert verdict.failed() == [], verdict.explain()
