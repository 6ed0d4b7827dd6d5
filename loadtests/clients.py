"""Reference clients set up for load and benchmark runs (no locust import: the benchmark process
must not be patched by gevent). Identities come from the world of the bench's seed; certificates from
the bench's test PKI."""

from __future__ import annotations

from datetime import datetime, UTC
from functools import lru_cache
from typing import Any
from simulators.core.pki import CertRequest
from simulators.core.tls import requests_cert
from simulators.dmp.cda import CdaAuthor, CdaPatient, CdaSpec, KINDS, new_oid
from simulators.dmp.client import DmpIdentity
from simulators.dmp.seed import professional_identity
from simulators.dmp.vihf import Role
from simulators.mss.client import build_patient_xdm, compose, Patient, xdm_subject
from simulators.mss.seed import world_mailboxes

# (professional, patient, document kind): authors and patients of simulators.dmp.seed
DMP_WRITERS = (("medecin-elise", "elise", "bilan-sante-enfant"), ("pmi-medecin", "fanny", "bilan-sante-enfant"))
DEFAULT_REPOSITORY_UID = "1.2.250.1.213.4.1.1.1.1"


def lookup_persons(world: Any) -> list[Any]:
    """Persons with an INS the INSi simulator returns as-is (no forced fault, CR 00 on exact traits)."""
    return [p for p in world.persons
            if p.ins is not None and p.insi.expected_cr == "00" and not p.insi.fault and not p.insi.invalid_key]


@lru_cache(maxsize=4)
def personal_boxes(seed: int) -> list[Any]:
    """The professionals' MSSanté mailboxes (XOAUTH2 with a PSC token) of the world."""
    return [b for b in world_mailboxes(seed) if b.kind == "PER"]


def dmp_identity(pki: Any, world: Any, professional_id: str) -> Any:
    """The DUI's DMP identity for a professional: AUTH_CLI and SIGN certificates of the structure are
    issued in the bench's PKI on first use, as `socle-bench pki issue` would."""
    pro = world.professional(professional_id)
    est = world.establishment(pro.establishment_id)
    common = {"cn": est.name.upper()[:60], "organisation": est.legal_entity[:60], "structure_id": est.idnst}
    auth, sign = f"load-dmp-{est.id}-auth", f"load-dmp-{est.id}-sign"
    pki.issue(CertRequest("auth-cli", name=auth, **common), exist_ok=True)
    pki.issue(CertRequest("sign", name=sign, **common), exist_ok=True)
    person, structure = professional_identity(world, professional_id)
    # physicians and pharmacists (RPPS professions 10, 21) carry their specialty as a second VIHF role
    second = (Role(pro.specialty_code or "SM54", "1.2.250.1.71.4.2.5")
              if pro.profession_code in ("10", "21") and pro.profession_system == "1.2.250.1.71.1.2.7" else None)
    return DmpIdentity(structure=structure, person=person, sign_cert=pki.certificate(sign),
                       sign_key=pki.private_key(sign), tls_cert=requests_cert(pki, auth), second_role=second)


def dmp_spec(identity: Any, patient: Any, kind: str, *, body_bytes: int = 20_000) -> Any:
    """A fresh CDA document by the identity's professional about `patient` (a world Person)."""
    now = datetime.now(UTC)
    return CdaSpec(kind=KINDS[kind], title="Bilan de santé (charge)", unique_id=new_oid(), effective_time=now,
                   facility_code=identity.structure.sector,
                   patient=CdaPatient(patient.ins.value, patient.ins.oid, patient.birth_name,
                                      patient.first_given_name, patient.sex, patient.birth_date),
                   author=CdaAuthor(identity.person.idnps, identity.person.family, identity.person.given,
                                    identity.person.profession_code, identity.person.profession_system,
                                    identity.structure.structure_id, identity.structure.name),
                   body=b"%PDF-1.4\n% document synthetique de charge\n" + b"0" * body_bytes)


def mss_patients(world: Any, limit: int = 20) -> list[Any]:
    return [Patient(p.ins.value, p.ins.oid, p.birth_name, p.first_given_name, p.birth_date, p.sex)
            for p in lookup_persons(world)][:limit]


def xdm_message(sender: Any, recipient: Any, patient: Any, *, padding: int = 48 * 1024) -> Any:
    """A report with a ~50 KB IHE_XDM.zip from one mailbox to another (an EmailMessage)."""
    xdm, _cda = build_patient_xdm(patient, code="11488-4", label="Compte rendu de consultation", padding=padding,
                                  sender=sender.address)
    return compose(sender.address, sender.display_name, [recipient.address], xdm_subject("Compte rendu", patient),
                   "Veuillez trouver le compte rendu ci-joint.", xdm=xdm, cda_codes=["11488-4"], ins_qualified=True)
