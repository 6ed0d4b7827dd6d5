"""What every DMP transaction handler shares: the store, the access policy, the options, and the
caller of the current request (verified VIHF + actor + dossier + authorisation)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulators.dmp.codec.xds import RegistryFailure
from simulators.dmp.model import AccessRecord, Authorization, Dossier
from simulators.dmp.options import DEFAULT_REPOSITORY_UID, DmpOptions
from simulators.dmp.rules import AccessPolicy, Actor, Decision
from simulators.dmp.valuesets import ValueSets
from simulators.dmp.vihf import Vihf

if TYPE_CHECKING:
    from simulators.dmp.store import DmpStore

__all__ = ["DEFAULT_REPOSITORY_UID", "Caller", "DmpOptions", "Services", "load_caller"]

@dataclass
class Services:
    store: DmpStore
    vs: ValueSets
    options: DmpOptions
    policy: AccessPolicy
    trust: Any = None  # VihfTrust for the XAdES check

    def error_code(self, key: str) -> str:
        return self.options.error_codes.get(key) or self.vs.errors.get(key, "XDSRegistryError")

    def refuse(self, decision: Decision, *, location: str = "") -> RegistryFailure:
        key = decision.key or "access_denied"
        context = self.options.error_contexts.get(key, decision.reason)
        return RegistryFailure(self.error_code(key), context, location=location)


@dataclass
class Caller:
    session: str
    vihf: Vihf
    actor: Actor
    dossier: Dossier | None
    authorization: Authorization | None

    @property
    def ins(self) -> str:
        return self.vihf.patient_ins

    def access(self, action: str, outcome: str, *, document: str = "", detail: str = "") -> AccessRecord:
        a = self.actor
        return AccessRecord(ins=self.ins, at=time.time(), action=action, structure_id=a.structure_id,
                            actor=self.vihf.subject_name, profession=a.profession, mode=a.mode, outcome=outcome,
                            document=document, detail=detail)


def load_caller(services: Services, session: str, vihf: Vihf) -> Caller:
    services.store.ensure_seeded(session)
    actor = services.policy.actor(vihf)
    dossier, auth = services.store.dossier_and_authorization(session, vihf.patient_ins, vihf.structure_id)
    return Caller(session, vihf, actor, dossier, auth)
