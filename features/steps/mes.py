"""Mon espace santé, played by the bench: the person, a parent of a minor, or a relative with the person's
consent reads the DMP documents and writes in the MES messaging within its rules.

These are not DUI actions (no driver is asked): the bench acts as the citizen's application, so the
DUI under test is only judged on what it sent to the person. Reading goes through the DMP simulator's
citizen view (``vue=patient`` / ``vue=representant_legal``), which applies the confidentiality codes
(INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX); writing goes through the MSSanté operator with the
person's own box (``<INS>@patient.mssante.fr``), whose rule is that a patient only answers in a thread
a professional opened. A relative of an *adult* acts in the person's own account with their consent
(MES proxy for adults: UNCONFIRMED), so sees what the person sees.
"""

from __future__ import annotations

import smtplib
from email.utils import parseaddr
from typing import Any

from pytest_bdd import given, parsers, then, when

from simulators.identities.model import Person

from conformance.drivers.base import ReceivedMessage
from conformance.drivers.documents import make_document
from conformance.drivers.recipients import mss_address_of
from features.steps.cast import document_kind, fold, split_documents
from features.steps.context import Parcours
from features.steps.socle import TO
from features.steps import verify
from conformance.drivers.reference_mss import MssPart
from simulators.mss.client import compose

MES_OF = r'Mon espace santé (?:de |d\'|d’)"(?P<person>[^"]+)"'


def _view(parcours: Parcours, reader: Person, person: Person) -> tuple[str, dict[str, str]]:
    """Which citizen view the reader gets: the person's own, or a legal representative's."""
    if reader.id == person.id or reader.id not in person.legal_representatives:
        if reader.id != person.id and not any(r.person_id == reader.id for r in person.relations):
            raise AssertionError(f"{reader.display_first_name} n'a aucun lien avec {person.display_first_name} : "
                                 "pas d'accès à son espace santé")
        return "patient", {"vue": "patient"}
    return "représentant légal", {"vue": "representant_legal", "representant": reader.id}


def mes_documents(parcours: Parcours, reader: Person, person: Person) -> list[dict[str, Any]]:
    parcours.require("dmp")
    assert person.ins is not None, f"{person.display_first_name} n'a pas d'INS"
    _label, params = _view(parcours, reader, person)
    found = parcours.probe.get_json(f"/dmp/{parcours.target.session}/patients/{person.ins.value}/documents", **params)
    return found or []


@then(parsers.re(rf'"(?P<reader>[^"]+)" voit "(?P<documents>[^"]+)" dans {MES_OF}'))
def sees_in_mes(parcours: Parcours, reader: str, documents: str, person: str) -> None:
    who, owner = parcours.cast.person(reader), parcours.cast.person(person)
    codes = {d.get("type", "") for d in mes_documents(parcours, who, owner)}
    view = _view(parcours, who, owner)[0]
    for phrase in split_documents(documents):
        kind = document_kind(phrase)
        assert kind.code in codes, (f"{who.display_first_name} ({view}) devrait voir « {kind.label} » ({kind.code}) "
                                    f"dans Mon espace santé, documents visibles : {', '.join(sorted(codes)) or 'aucun'}")


@then(parsers.re(rf'"(?P<reader>[^"]+)" ne voit pas "(?P<documents>[^"]+)" dans {MES_OF}'))
def does_not_see_in_mes(parcours: Parcours, reader: str, documents: str, person: str) -> None:
    who, owner = parcours.cast.person(reader), parcours.cast.person(person)
    codes = {d.get("type", "") for d in mes_documents(parcours, who, owner)}
    for phrase in split_documents(documents):
        kind = document_kind(phrase)
        assert kind.code not in codes, f"« {kind.label} » ne devrait pas être visible dans Mon espace santé"


@then(parsers.re(rf'"(?P<reader>[^"]+)" lit "(?P<document>[^"]+)" dans la messagerie de {MES_OF}'))
def reads_mes_messaging(parcours: Parcours, reader: str, document: str, person: str) -> None:
    who, owner = parcours.cast.person(reader), parcours.cast.person(person)
    _view(parcours, who, owner)  # a stranger has no access
    kind = document_kind(document)
    verify.message_in_mailbox(parcours, owner.mes_address, kind, attachment=True)


# --- writing from Mon espace santé ------------------------------------------------------------------
class MesApp:
    """The citizen's messaging: the person's MSSanté box, on the bench's reference mail client."""

    def __init__(self, parcours: Parcours) -> None:
        parcours.require("smtp")
        self.part = MssPart(parcours.target)

    def inbox(self, person: Person) -> list[ReceivedMessage]:
        return self.part.read(None, person.mes_address)  # type: ignore[arg-type]


MES_REPLY = (rf'"(?P<writer>[^"]+)" répond depuis {MES_OF} {TO}(?: en joignant "(?P<attached>[^"]+)")? : '
             r'"(?P<text>[^"]+)"')


@given(parsers.re(MES_REPLY))
@when(parsers.re(MES_REPLY))
def reply_from_mes(parcours: Parcours, writer: str, person: str, recipients: str, attached: str | None,
                   text: str) -> None:
    who, owner = parcours.cast.person(writer), parcours.cast.person(person)
    view = _view(parcours, who, owner)[0]
    target = parcours.cast.recipient(recipients)
    address = mss_address_of(target).lower()
    app = MesApp(parcours)
    opened = [m for m in app.inbox(owner) if parseaddr(m.sender)[1].lower() == address]
    assert opened, (f"aucun message de {address} dans Mon espace santé {owner.display_first_name} : un patient ne "
                    "répond que dans un échange ouvert par un professionnel")
    docs = tuple(make_document(document_kind(p).key, f"{owner.display_first_name} {owner.display_last_name}")
                 for p in split_documents(attached or ""))
    label = f"{who.display_first_name} {who.display_last_name} ({view}) pour {owner.display_first_name}"
    result = app.part.reply(None, opened[-1], text, docs, sender_label=label)
    assert not result.refused, f"Mon espace santé : réponse refusée par l'opérateur ({result.refused})"
    parcours.replies.append(("mon espace santé", opened[-1], result))


@then(parsers.re(rf'(?:la boîte|les boîtes) MSSanté (?:de |du |des |d\'|d’)"(?P<recipients>[^"]+)" (?:a|ont) reçu la '
                 rf'réponse de {MES_OF}'))
def got_mes_reply(parcours: Parcours, recipients: str, person: str) -> None:
    owner = parcours.cast.person(person)
    for record in parcours.cast.recipients(recipients):
        address = mss_address_of(record)
        found = [m for m in parcours.probe.mailbox_messages(address) or []
                 if fold(owner.mes_address) in fold(m.get("sender", "")) and fold(verify.decoded(m.get("subject", "")))
                 .startswith("re:")]
        assert found, f"attendu dans la boîte {address} une réponse de {owner.mes_address}, obtenu aucune"


@then(parsers.re(rf'{MES_OF} refuse un premier message (?:à|au|aux) "(?P<recipient>[^"]+)"'))
def mes_refuses_first_message(parcours: Parcours, person: str, recipient: str) -> None:
    """MES messaging: a patient cannot open a conversation with a professional (the operator answers 5xx)."""
    owner = parcours.cast.person(person)
    address = mss_address_of(parcours.cast.recipient(recipient))
    app = MesApp(parcours)
    message = compose(owner.mes_address, owner.display_first_name, [address], "Question", "Bonjour, une question.")
    try:
        refused = app.part.client.send(message, owner.mes_address, app.part.token(owner.mes_address))
    except smtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients
    assert address in refused, f"attendu un refus de Mon espace santé pour un premier message à {address}, obtenu un envoi"
    code = refused[address][0]
    assert 500 <= code < 600, f"attendu un refus définitif (5xx), obtenu {code}"
