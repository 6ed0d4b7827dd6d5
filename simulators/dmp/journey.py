"""Journey helpers shared by the tests, the benchmark and the reference DUI: the DMP identity of a
world professional (AUTH_CLI + SIGN certificates of their structure, issued on demand in the bench
PKI) and the CDA document a professional writes for a patient."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, UTC
from typing import TYPE_CHECKING, Any

from simulators.core.pki import CertRequest
from simulators.core.tls import requests_cert
from simulators.dmp.cda import KINDS, CdaAuthor, CdaPatient, CdaSpec, new_oid
from simulators.dmp.seed import professional_identity
from simulators.dmp.vihf import Role
from simulators.identities.world import World

if TYPE_CHECKING:  # the client (and `requests`) load with the first identity built, not with the DMP simulator
    from simulators.dmp.client import DmpIdentity

G15 = "1.2.250.1.71.1.2.7"


def issue_org_certs(pki: Any, world: World, establishment_id: str, *, variant: str = "valid") -> tuple[str, str]:
    """AUTH_CLI and SIGN certificates with the same DN for one structure (their names in the PKI)."""
    est = world.establishment(establishment_id)
    base = f"dmp-{establishment_id}" + ("" if variant == "valid" else f"-{variant}")
    auth = CertRequest("auth-cli", name=f"{base}-auth", cn=est.name.upper()[:60], organisation=est.legal_entity[:60],
                       structure_id=est.idnst)
    pki.issue(auth, exist_ok=True)
    pki.issue(replace(auth, profile="sign", name=f"{base}-sign", variant=variant), exist_ok=True)
    return f"{base}-auth", f"{base}-sign"


def issue_world_certs(pki: Any, world: World) -> None:
    """AUTH_CLI + SIGN of every structure where a world professional works (what the reference DUI uses)."""
    for establishment_id in sorted({pro.establishment_id for pro in world.professionals}):
        issue_org_certs(pki, world, establishment_id)


def identity_for(pki: Any, world: World, professional_id: str, *, sign_variant: str = "valid") -> DmpIdentity:
    pro = world.professional(professional_id)
    auth, sign = issue_org_certs(pki, world, pro.establishment_id, variant=sign_variant)
    person, structure = professional_identity(world, professional_id)
    second = None
    if pro.profession_system == G15 and pro.profession_code in ("10", "21"):
        second = Role(pro.specialty_code or "SM54", "1.2.250.1.71.4.2.5")
    from simulators.dmp.client import DmpIdentity  # lazy: see the TYPE_CHECKING import

    return DmpIdentity(structure=structure, person=person, sign_cert=pki.certificate(sign),
                       sign_key=pki.private_key(sign), tls_cert=requests_cert(pki, auth), second_role=second)


def cda_for(world: World, patient_id: str, professional_id: str, kind: str = "projet-personnalise", *,
            title: str = "", when: datetime | None = None, replaces: str = "", body: bytes | None = None) -> CdaSpec:
    p = world.person(patient_id)
    assert p.ins is not None, f"{patient_id} n'a pas d'INS"
    person, structure = professional_identity(world, professional_id)
    spec = CdaSpec(kind=KINDS[kind], title=title, unique_id=new_oid(), effective_time=when or datetime.now(UTC),
                   facility_code=structure.sector, replaces=replaces,
                   patient=CdaPatient(p.ins.value, p.ins.oid, p.birth_name, p.first_given_name, p.sex, p.birth_date),
                   author=CdaAuthor(person.idnps, person.family, person.given, person.profession_code,
                                    person.profession_system, structure.structure_id, structure.name))
    if body is not None:
        spec.body = body
    return spec
