"""Default mailboxes of a session, drawn from the bench world (simulators.identities).

Every professional of the journeys gets their PER box, every establishment its ORG box, liberal
practices a CAB box, establishments an APP box for their software (opened with the organisation
certificate `DUI-SOCLE-BENCH` of the bench PKI) and an integration platform (PFI) box that answers
with the ANS processing MDN. Every person with an INS-NIR gets a Mon espace santé box, minors
included (their own address, mss.md §4). One PER box is on the liste rouge, to exercise the directory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any, TypedDict
from functools import lru_cache

from cryptography.hazmat.primitives import serialization

from simulators.core.pki.defaults import DUI_CN
from simulators.identities.mssante import slug
from simulators.identities.world import World, build_world

from .model import PATIENT_KIND, Mailbox

LISTE_ROUGE_IDS = frozenset({"mecs-psychologue"})
PFI_ESTABLISHMENTS = frozenset({"crip-93", "aemo-bondy"})


def _age(birth_date: str, today: date) -> int:
    try:
        year, month, day = (int(x or 1) or 1 for x in birth_date.split("-"))
    except ValueError:
        return 99
    return today.year - year - ((today.month, today.day) < (month, day))


@lru_cache(maxsize=8)
class _Owner(TypedDict):
    """What the mailboxes of one establishment share."""

    owner_id: str
    idnst: str
    finess: str
    establishment_id: str
    organisation_name: str


def world_mailboxes(seed: int, today: date | None = None) -> tuple[Mailbox, ...]:
    world = build_world(seed)
    trust = world.trust_space()
    today = today or date.today()
    boxes: list[Mailbox] = []
    establishments = {e.id: e for e in world.establishments}
    for pro in world.professionals:
        if not pro.mss_address or pro.mss_address.rpartition("@")[2] not in trust:
            continue
        est = establishments.get(pro.establishment_id)
        boxes.append(Mailbox(
            address=pro.mss_address, kind="PER",
            display_name=f"{pro.civility}_{pro.first_name}_{pro.last_name.upper()}_{est.name if est else ''}",
            owner_id=pro.id, rpps=pro.rpps or "", idnps=pro.idnps or "", idnst=est.idnst if est else "",
            finess=(est.finess_et or "") if est else "", establishment_id=pro.establishment_id,
            organisation_name=est.name if est else "", description=f"{pro.first_name} {pro.last_name} ({pro.role})",
            liste_rouge=pro.id in LISTE_ROUGE_IDS, profession_code=pro.profession_code,
            profession_label=pro.profession_label, first_name=pro.first_name, last_name=pro.last_name,
            civility=pro.civility))
    for est in world.establishments:
        if not est.mss_domain or est.mss_domain not in trust:
            continue
        common: _Owner = {"owner_id": est.id, "idnst": est.idnst, "finess": est.finess_et or "",
                          "establishment_id": est.id, "organisation_name": est.name}
        if est.mss_org_address:
            boxes.append(Mailbox(address=est.mss_org_address, kind="ORG", display_name=f"{est.name} - secrétariat",
                                 description=f"{est.name} ({est.kind})", service=est.kind, **common))
        else:
            boxes.append(Mailbox(address=f"cabinet.{slug(est.id)}@{est.mss_domain}", kind="CAB",
                                 display_name=est.name, description=f"Cabinet {est.name}", **common))
        local = est.mss_org_address.partition("@")[0] if est.mss_org_address else slug(est.id)
        boxes.append(Mailbox(address=f"lps.{local}@{est.mss_domain}", kind="APP",
                             display_name=f"{est.name} - logiciel métier", cert_cn=DUI_CN,
                             description=f"BAL applicative du DUI de {est.name}", **common))
        if est.id in PFI_ESTABLISHMENTS:
            boxes.append(Mailbox(address=f"pfi.{local}@{est.mss_domain}", kind="APP", auto_mdn=True,
                                 display_name=f"{est.name} - plateforme d'intégration", cert_cn=DUI_CN,
                                 description="PFI : intègre les documents CDA et renvoie un MDN", **common))
    boxes += patient_mailboxes(world, today)
    return tuple(boxes)


def patient_mailboxes(world: World, today: date) -> list[Mailbox]:
    return [Mailbox(address=p.mes_address, kind=PATIENT_KIND,
                    display_name=f"{p.display_first_name} {p.display_last_name}", owner_id=p.id,
                    minor=_age(p.birth_date, today) < 18, first_name=p.display_first_name,
                    last_name=p.display_last_name, description="Mon espace santé")
            for p in world.persons if p.mes_address and p.ins is not None]


def trust_domains(seed: int) -> frozenset[str]:
    return build_world(seed).trust_space()


def dui_fingerprint(pki: Any) -> str:
    """SHA-256 of the bench DUI's AUTH_CLI certificate (`org-auth-cli`), the one the seeded APP boxes are
    registered for; "" without a PKI (plain demos: no EXTERNAL authentication anyway)."""
    if pki is None:
        return ""
    try:
        cert = pki.certificate("org-auth-cli")
    except Exception:  # noqa: BLE001 - a PKI without the default certificates
        return ""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def bind_app_boxes(boxes: Iterable[Mailbox], fingerprint: str) -> list[Mailbox]:
    """Seeded APP boxes open with the bench DUI's certificate itself, not with any certificate of that CN."""
    return [replace(b, cert_sha256=fingerprint) if b.kind == "APP" and fingerprint and not b.cert_sha256 else b
            for b in boxes]
