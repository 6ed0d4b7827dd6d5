"""Reference DUI, DMP part: the DMP reference connector, one identity per professional's structure.

Consulting: a valid authorisation first (TD0.2, asked once per professional and patient), then the
two-year document search; the DMP applies the habilitation matrix and the confidentiality codes, so
what the professional sees is what the simulator decided. Feeding: a CDA of the document's kind,
signed submission set, INVISIBLE_REPRESENTANTS_LEGAUX through a secret connection when asked.
"""

from __future__ import annotations

from typing import Any

from simulators.identities.model import Person, Professional

from conformance.drivers.base import BenchTarget, DmpEntry, Document, DriverError, IdentityResult
from conformance.drivers.documents import kind_of
from simulators.core.pki import Pki
from simulators.dmp.cda import DocumentKind, KINDS
from simulators.dmp.client import DmpClient, DmpFault
from simulators.dmp.journey import cda_for, identity_for
from simulators.dmp.metadata import ins_cx

INVISIBLE_REPS = "INVISIBLE_REPRESENTANTS_LEGAUX"
# documents.py kind -> simulators.dmp.cda.KINDS key; anything else is sent as an export of the DUI
DMP_KINDS = {
    "ordonnance": "ordonnance", "bilan-psychologique": "bilan-psychologique",
    "synthese-psychiatrique": "synthese-psychiatrique", "bilan-orthophonique": "bilan-fonctionnel",
    "bilan-psychomoteur": "bilan-fonctionnel", "projet-personnalise": "projet-personnalise",
    "bilan-sante-enfant": "bilan-sante-enfant", "autorisation-soins": "autorisation-soins",
}
FALLBACK_KIND = "rapport-echeance"  # EXPORT_DUI: what a DUI that feeds everything ends up sending


def cda_kind(document: Document) -> Any:
    """The XDS coding of a document kind the DMP journeys name (documents.DOCUMENT_KINDS); a kind
    without DMP codes is sent as an export of the DUI, which the DMP refuses (never_dmp.json)."""
    kind = kind_of(document)
    if not kind.type_code:
        return KINDS[FALLBACK_KIND]
    code, _, system = kind.type_code.partition("^")
    fmt, _, fmt_system = kind.format_code.partition("^")
    return DocumentKind(code, system, kind.label[0].upper() + kind.label[1:], kind.class_code, fmt, fmt_system)


class DmpPart:
    def __init__(self, target: BenchTarget) -> None:
        credentials = target.credentials
        if credentials is None or not credentials.pki_dir:
            raise DriverError("le DMP exige les certificats de la structure : PKI du banc inaccessible "
                              "(--bench-pki)")

        self.target = target
        self.pki = Pki.load(credentials.pki_dir)
        self.verify = credentials.trust_bundle
        self._clients: dict[str, Any] = {}
        self._authorized: set[tuple[str, str]] = set()

    defects: frozenset[str] = frozenset()  # set by ReferenceDui (see reference.DEFECTS)

    def client(self, actor: Professional) -> Any:
        if actor.id not in self._clients:
            identity = identity_for(self.pki, self.target.world, actor.id)
            if "dmp.foreign-signer" in self.defects:  # defect: another structure's signing certificate
                other = next(p for p in self.target.world.professionals
                             if p.establishment_id and p.establishment_id != actor.establishment_id)
                foreign = identity_for(self.pki, self.target.world, other.id)
                identity.sign_cert, identity.sign_key = foreign.sign_cert, foreign.sign_key
            self._clients[actor.id] = DmpClient(self.target.service_url("dmp"), identity, verify=self.verify,
                                                session=self.target.session)
        return self._clients[actor.id]

    def consult(self, actor: Professional, person: Person, identity: IdentityResult) -> list[DmpEntry]:
        client = self.client(actor)
        try:
            if (actor.id, identity.ins) not in self._authorized:
                answer = client.set_authorization(identity.ins, identity.oid)
                if answer.get("authorization") != "VALIDE":
                    raise DriverError(f"autorisation d'accès au DMP refusée : {answer}")
                self._authorized.add((actor.id, identity.ins))
            found = client.find_documents(identity.ins, identity.oid)
        except DmpFault as exc:
            raise DriverError(f"le DMP a répondu par une faute : {exc.reason}") from exc
        if not found.status.endswith("Success"):
            raise DriverError("recherche DMP refusée : " + "; ".join(e.context for e in found.errors))
        return [DmpEntry(unique_id=e.unique_id, type_code=e.type_code.code if e.type_code else "", title=e.title,
                         confidentiality=tuple(c.code for c in e.confidentiality))
                for e in found.entries if not getattr(e, "is_signature", False)]

    def feed(self, actor: Professional, person: Person, identity: IdentityResult, document: Document) -> str:
        spec = cda_for(self.target.world, person.id, actor.id, DMP_KINDS.get(document.kind, FALLBACK_KIND),
                       title=document.title)
        if document.kind not in DMP_KINDS:
            spec.kind = cda_kind(document)
        visibility = tuple(document.confidentiality)
        client = self.client(actor)
        try:
            submission = client.prepare([(spec, visibility)])
            if "dmp.cda-other-patient" in self.defects:  # defect: the CDA of another patient, filed under this one

                other = next(p for p in self.target.world.persons if p.ins is not None and p.id != person.id
                             and p.ins.value != identity.ins)
                wrong = cda_for(self.target.world, other.id, actor.id, DMP_KINDS.get(document.kind, FALLBACK_KIND),
                                title=document.title)
                submission = client.prepare([(wrong, visibility)])
                pid = ins_cx(identity.ins, identity.oid)
                submission.submission_set.patient_id = pid
                for entry in submission.entries:
                    entry.patient_id = pid
                spec = wrong
            result = client.provide_and_register(submission, secret=INVISIBLE_REPS in visibility,
                                                 mtom="dmp.no-mtom" not in self.defects)
        except DmpFault as exc:
            raise DriverError(f"le DMP a répondu par une faute : {exc.reason}") from exc
        if not result.ok:
            raise DriverError("dépôt refusé par le DMP : " + "; ".join(e.context for e in result.errors))
        return spec.unique_id
