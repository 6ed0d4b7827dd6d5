"""The reference DUI: what a good DUI does, composed of the services' reference clients.

The features pass out of the box with it. It keeps the little state a DUI keeps (the identities it
has qualified, its MSSanté tokens) and applies the rules the journeys exercise: a patient address is
only built from a qualified INS, the DMP is only used with a qualified INS, educational and social
documents never go to the DMP, and a recipient outside the MSSanté trust space (the judge) is
reached by ordinary e-mail, off the bench.

Each service part lives in its own module and is built on first use, so a service whose simulator
or client is missing makes only its own steps skip ("service X pas encore disponible").
"""

from __future__ import annotations

import importlib
from typing import Any
from collections.abc import Iterable

from simulators.identities.model import Establishment, Person, Professional

from conformance.drivers.base import (
    ActionNotSupported, BenchTarget, DmpEntry, Document, DriverError, DuiDriver, DuiRefused,
    IdentityResult, OutgoingMessage, ReceivedMessage, RecordResult, RorCandidate, RorQuery, SendResult,
)
from conformance.drivers.documents import kind_of, may_feed_dmp
from conformance.drivers.recipients import mss_address_of

PARTS = {
    # part -> (module, class, service endpoint it needs, French service name)
    "ins": ("conformance.drivers.reference_ins", "InsPart", "ins", "INSi"),
    "mss": ("conformance.drivers.reference_mss", "MssPart", "smtp", "MSSanté"),
    "annuaire": ("conformance.drivers.reference_mss", "AnnuairePart", "annuaire", "Annuaire santé"),
    "dmp": ("conformance.drivers.reference_dmp", "DmpPart", "dmp", "DMP"),
    "ror": ("conformance.drivers.reference_ror", "RorPart", "ror", "ROR"),
}


# Seeded defects the reference DUI can be asked to make (``ReferenceDui(defects=...)``): the classic
# mistakes of a vendor's DUI, one switch each, so that the conformance engine's own tests (and a trainer's
# demo) can show what the verdict looks like when a DUI gets it wrong. Off by default, never partial.
DEFECTS: dict[str, str] = {
    "dmp.feeds-everything": "verse au DMP tous les documents produits, y compris éducatifs et sociaux",
    "dmp.cda-other-patient": "dépose un CDA dont le recordTarget n'est pas le patient des métadonnées XDS",
    "dmp.foreign-signer": "signe le VIHF avec le certificat d'une autre structure que celui de la connexion TLS",
    "dmp.no-mtom": "envoie l'ITI-41 sans MTOM/XOP (documents en base64 dans l'enveloppe SOAP)",
    "dmp.unqualified-ins": "utilise le DMP avec l'INS du dossier local, jamais qualifiée par INSi",
    "mss.no-receipts": "ne demande jamais d'accusé, ni de remise (DSN) ni de lecture (MDN)",
    "mss.patient-address-bad-key": "construit l'adresse Mon espace santé sur un matricule INS à la clé erronée",
    "mss.outside-trust-space": "écrit par MSSanté à un destinataire hors espace de confiance, et renvoie le "
                               "même message après l'avis de non-remise",
}


def unavailable(service_label: str, why: str = "") -> ActionNotSupported:
    return ActionNotSupported(f"service {service_label} pas encore disponible" + (f" ({why})" if why else ""))


class ReferenceDui(DuiDriver):
    name = "reference"
    description = "DUI de référence (clients de référence des services du banc)"

    def __init__(self, defects: Iterable[str] = ()) -> None:
        unknown = sorted(set(defects) - set(DEFECTS))
        if unknown:
            raise ValueError(f"défauts inconnus : {', '.join(unknown)} (connus : {', '.join(DEFECTS)})")
        self.defects = frozenset(defects)
        self._parts: dict[str, Any] = {}
        self.identities: dict[str, IdentityResult] = {}
        self.records: dict[str, list[Document]] = {}  # person id -> documents kept in the DUI

    def open(self, target: BenchTarget) -> None:
        super().open(target)
        self._parts.clear()
        self.identities.clear()
        self.records.clear()

    def close(self) -> None:
        for part in self._parts.values():
            close = getattr(part, "close", None)
            if close is not None:
                close()
        self._parts.clear()

    def part(self, name: str) -> Any:
        if name not in self._parts:
            module_name, class_name, endpoint, label = PARTS[name]
            if not self.target.has(endpoint):
                raise unavailable(label, f"aucun point d'accès {endpoint!r} sur le banc")
            try:
                cls = getattr(importlib.import_module(module_name), class_name)
            except (ImportError, AttributeError) as exc:
                raise unavailable(label, str(exc)) from exc
            part = cls(self.target)
            part.defects = self.defects
            self._parts[name] = part
        return self._parts[name]

    # --- identity --------------------------------------------------------------------------------
    def qualified(self, person: Person) -> IdentityResult:
        if "dmp.unqualified-ins" in self.defects and person.ins is not None and person.id not in self.identities:
            # defect: the INS of the local record, as typed, taken as if INSi had qualified it
            return IdentityResult(status="QUAL", ins=person.ins.value, oid=person.ins.oid, birth_name=person.birth_name,
                                  given_names=person.liste_prenom, sex=person.sex, birth_date=person.birth_date,
                                  birth_place=person.birth_place)
        identity = self.identities.get(person.id)
        if identity is None or not identity.qualified:
            raise DuiRefused(f"l'INS de {person.display_first_name} n'est pas qualifiée dans le DUI : "
                             "action impossible sans identité qualifiée")
        return identity

    def qualify_ins(self, actor: Professional, person: Person) -> IdentityResult:
        result = self.part("ins").qualify(actor, person)
        self.identities[person.id] = result
        return result

    # --- Annuaire / MSS ----------------------------------------------------------------------------
    def find_mailbox(self, actor: Professional, target: Establishment | Professional) -> str:
        return self.part("annuaire").find_mailbox(actor, target)

    def send_message(self, actor: Professional, message: OutgoingMessage) -> SendResult:
        for recipient in message.recipients:
            if isinstance(recipient, Person):
                self.qualified(recipient)  # a patient address is built only from a qualified INS
        patient_ins = self.identities.get(message.patient.id) if message.patient else None
        mss = self.part("mss")
        if "mss.outside-trust-space" in self.defects:
            return mss.send_outside(actor, message)
        return mss.send(actor, message, patient_ins)

    def read_mailbox(self, actor: Professional, mailbox: str) -> list[ReceivedMessage]:
        return self.part("mss").read(actor, mailbox)

    def reply_message(self, actor: Professional, original: ReceivedMessage, body: str,
                      documents: tuple[Document, ...] = ()) -> SendResult:
        return self.part("mss").reply(actor, original, body, documents)

    def forward_message(self, actor: Professional, original: ReceivedMessage, recipients: tuple, note: str = "") -> SendResult:
        for recipient in recipients:
            if isinstance(recipient, Person):
                self.qualified(recipient)
        addresses = [a for a in (mss_address_of(r) for r in recipients) if a]
        if not addresses:
            raise DriverError("aucun destinataire MSSanté pour le transfert")
        return self.part("mss").forward(actor, original, addresses, note)

    # --- DMP -------------------------------------------------------------------------------------
    def consult_dmp(self, actor: Professional, person: Person) -> list[DmpEntry]:
        identity = self.qualified(person)
        return self.part("dmp").consult(actor, person, identity)

    def feed_dmp(self, actor: Professional, person: Person, document: Document) -> RecordResult:
        if not may_feed_dmp(document) and "dmp.feeds-everything" not in self.defects:
            raise DuiRefused(f"« {kind_of(document).label} » ne se verse pas au DMP (document éducatif ou social)")
        identity = self.qualified(person)
        self.records.setdefault(person.id, []).append(document)
        unique_id = self.part("dmp").feed(actor, person, identity, document)
        return RecordResult(fed_dmp=True, unique_id=unique_id)

    def produce_document(self, actor: Professional, person: Person, document: Document) -> RecordResult:
        self.records.setdefault(person.id, []).append(document)
        if not may_feed_dmp(document) and "dmp.feeds-everything" not in self.defects:
            return RecordResult(fed_dmp=False, reason=f"« {kind_of(document).label} » reste dans le DUI "
                                                      "(jamais versé au DMP)")
        return self.feed_dmp(actor, person, document)

    # --- ROR -------------------------------------------------------------------------------------
    def search_ror(self, actor: Professional, query: RorQuery) -> list[RorCandidate]:
        return self.part("ror").search(actor, query)


__all__ = ["DEFECTS", "PARTS", "ReferenceDui", "unavailable"]
