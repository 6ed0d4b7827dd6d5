"""Reusable French steps for the socle actions: qualify an INS, send by MSS (with or without XDM),
consult and feed the DMP, search the ROR and the Annuaire santé, judge the exchanges.

Vendors import them in their own ``conftest.py`` (``from features.steps import *``) and write
features with the same sentences. Parameters are between quotes and name people and structures the
way a trainer says them ("l'ergothérapeute", "la CRIP", "Fanny"); see cast.py for the resolution.
The "Alors" steps are in checks.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from pytest_bdd import given, parsers, when

from conformance.drivers.base import BenchTarget, DuiDriver, DuiRefused, OutgoingMessage, ReceivedMessage, RorQuery
from conformance.drivers.documents import make_document
from conformance.drivers.probe import BenchProbe
from conformance.drivers.recipients import de, mss_address_of
from simulators.identities.model import Person
from features.steps.cast import Cast, document_kind, split_documents
from features.steps.context import JourneyMemory, Parcours, Sent
from features.steps.cast import fold, ror_offer
from features.steps.verify import decoded

MIME_BY_KIND = {"photo": "image/jpeg", "invitation-visio": "text/calendar"}  # kept for vendors: DocumentKind.mime_type
OWN = r"(?P<own> avec son propre logiciel)?"  # an actor outside the DUI under test (doctor, pharmacist)
TO = r'(?:à|au|aux) "(?P<recipients>[^"]+)"'
OF = r'(?:de|d\'|d’) ?"(?P<person>[^"]+)"'
BOX = r'(?: depuis la boîte (?:de |du |d\'|d’)"(?P<box>[^"]+)")?'  # an organisational box the actor writes from


@pytest.fixture(scope="session")
def journey_memory() -> JourneyMemory:
    return JourneyMemory()


@pytest.fixture
def parcours(bench_target: BenchTarget, dui: DuiDriver, bench_probe: BenchProbe,
             journey_memory: JourneyMemory) -> Iterator[Parcours]:
    """One scenario: the journal cursor at its start and what its steps did."""
    ctx = Parcours(target=bench_target, dui=dui, probe=bench_probe, memory=journey_memory,
                   cast=Cast(bench_target.world), cursor=bench_probe.cursor())
    yield ctx
    ctx.close()


# --- Étant donné ---------------------------------------------------------------------------------
@given(parsers.re(rf'le parcours {OF} sur le banc socle-bench'))
def journey_of(parcours: Parcours, person: str) -> None:
    parcours.cast.journey = parcours.cast.person(person).id


@given(parsers.re(rf'l\'INS {OF} a été qualifiée par "(?P<actor>[^"]+)"'))
def ins_already_qualified(parcours: Parcours, person: str, actor: str) -> None:
    who = parcours.cast.person(person)
    known = parcours.memory.identities.get(who.id)
    if known is None or not known.qualified:
        result = parcours.act("ins", parcours.dui.qualify_ins, parcours.cast.professional(actor), who)
        parcours.memory.identities[who.id] = result
        assert result.qualified, (f"précondition : l'INS {de(who.display_first_name)} n'a pas pu être qualifiée "
                                  f"({result.status}, compte rendu INSi {result.cr or '-'})")


@given(parsers.re(rf'le DMP {OF} contient "(?P<documents>[^"]+)" déposée?s? par "(?P<actor>[^"]+)"'))
def dmp_preloaded(parcours: Parcours, person: str, documents: str, actor: str) -> None:
    """Earlier documents written by other professionals with their own software (the reference DUI):
    whatever the DMP does not hold yet (the bench seeds some) is fed by ``actor``."""
    parcours.require("dmp")
    who, author = parcours.cast.person(person), parcours.cast.professional(actor)
    other = parcours.other_software()
    kinds = [document_kind(phrase) for phrase in split_documents(documents)]
    wanted = [k for k in kinds if f"{parcours.target.session}:{who.id}:{k.key}" not in parcours.memory.seeded]
    if not wanted:
        return
    parcours.act("ins", other.qualify_ins, author, who)
    present = {e.type_code for e in parcours.act("dmp", other.consult_dmp, author, who)}
    for kind in wanted:
        if kind.code not in present:
            parcours.act("dmp", other.feed_dmp, author, who, make_document(kind.key, who.display_first_name))
        parcours.memory.seeded.add(f"{parcours.target.session}:{who.id}:{kind.key}")


# --- Quand : INSi ----------------------------------------------------------------------------------
@when(parsers.re(rf'"(?P<actor>[^"]+)" qualifie l\'INS {OF} avec sa pièce d\'identité'))
def qualify(parcours: Parcours, actor: str, person: str) -> None:
    who = parcours.cast.person(person)
    result = parcours.act("ins", parcours.dui.qualify_ins, parcours.cast.professional(actor), who)
    parcours.memory.identities[who.id] = result


# --- Quand : Annuaire santé et MSSanté ---------------------------------------------------------------
@when(parsers.re(r'"(?P<actor>[^"]+)" recherche dans l\'Annuaire santé la boîte (?:de |du |des |d\'|d’)"(?P<target>[^"]+)"'))
def find_mailbox(parcours: Parcours, actor: str, target: str) -> None:
    cast = parcours.cast
    record = cast.establishment(target) if _is_structure(cast, target) else cast.professional(target)
    parcours.found_address = parcours.act("annuaire", parcours.dui.find_mailbox, cast.professional(actor), record)


def _is_structure(cast: Cast, phrase: str) -> bool:
    try:
        cast.establishment(phrase)
        return True
    except LookupError:
        return False


def _send(parcours: Parcours, actor: str, document: str, person: str, recipients: str, *, xdm: bool = False,
          subject: str = "", body: str = "", own: bool = False, box: str = "") -> None:
    """One message, several documents when the phrase lists them ("le CR, l'ordonnance et les constantes")."""
    cast = parcours.cast
    who = cast.person(person)
    kinds = [document_kind(phrase) for phrase in split_documents(document)]
    sender = cast.professional(actor)
    docs = tuple(make_document(kind.key, f"{who.display_first_name} {who.display_last_name}") for kind in kinds)
    label = kinds[0].label[0].upper() + kinds[0].label[1:] + "".join(f", {k.label}" for k in kinds[1:])
    names = ", ".join(k.label for k in kinds)
    targets = cast.recipients(recipients)
    sender_box = mss_address_of(_structure_or_professional(cast, box)) if box else ""
    message = OutgoingMessage(recipients=targets, documents=docs, patient=who, xdm=xdm, sender_box=sender_box,
                              subject=subject or f"{label} - {who.display_first_name} {who.display_last_name}",
                              body=body or f"Bonjour,\n\nVeuillez trouver ci-joint : {names}.\n\n"
                                           f"{sender.first_name} {sender.last_name}, {sender.role}")
    software = parcours.other_software() if own else parcours.dui
    if own and (xdm or any(isinstance(t, Person) for t in targets)):
        parcours.act("ins", software.qualify_ins, sender, who)  # their own software qualifies the INS first
    result = parcours.act("smtp", software.send_message, sender, message)
    parcours.sent.append(Sent(sender.id, message, result))


def _structure_or_professional(cast: Cast, phrase: str):  # Establishment | Professional
    return cast.establishment(phrase) if _is_structure(cast, phrase) else cast.professional(phrase)


SEND = (rf'"(?P<actor>[^"]+)" envoie par MSSanté "(?P<document>[^"]+)" {OF} {TO}{BOX}(?P<xdm> avec une archive XDM)?'
        rf'{OWN}')


@given(parsers.re(SEND))
@when(parsers.re(SEND))
def send_by_mss(parcours: Parcours, actor: str, document: str, person: str, recipients: str,
                xdm: str | None, own: str | None, box: str | None) -> None:
    _send(parcours, actor, document, person, recipients, xdm=bool(xdm), own=bool(own), box=box or "")


@when(parsers.re(rf'"(?P<actor>[^"]+)" transmet "(?P<document>[^"]+)" {OF} {TO}'))
def transmit(parcours: Parcours, actor: str, document: str, person: str, recipients: str) -> None:
    """The DUI chooses the channel: MSSanté inside the trust space, ordinary e-mail outside."""
    _send(parcours, actor, document, person, recipients)


@when(parsers.re(rf'"(?P<actor>[^"]+)" répond par MSSanté {TO} au sujet {OF} : "(?P<text>[^"]+)"'))
def reply_by_mss(parcours: Parcours, actor: str, recipients: str, person: str, text: str) -> None:
    _send(parcours, actor, "réponse à la demande d'admission", person, recipients, body=text)


@when(parsers.re(rf'"(?P<actor>[^"]+)" envoie par MSSanté "(?P<document>[^"]+)" {OF} à chaque établissement candidat'))
def send_to_candidates(parcours: Parcours, actor: str, document: str, person: str) -> None:
    if not parcours.candidates:
        raise AssertionError("aucun établissement candidat : la recherche ROR n'a rien proposé")
    names = ", ".join(c.name for c in parcours.candidates)
    _send(parcours, actor, document, person, names)


@when(parsers.parse('"{actor}" relève la boîte MSSanté de "{target}"'))
def read_mailbox(parcours: Parcours, actor: str, target: str) -> None:
    cast = parcours.cast
    record = cast.establishment(target) if _is_structure(cast, target) else cast.professional(target)

    parcours.received = parcours.act("imap", parcours.dui.read_mailbox, cast.professional(actor), mss_address_of(record))


@when(parsers.re(r'"(?P<actor>[^"]+)" (?:téléphone|appelle) (?P<what>.+)'))
def phone_call(parcours: Parcours, actor: str, what: str) -> None:
    """No service call: a phone call happens outside the bench (the step checks that nothing was sent)."""
    parcours.cast.professional(actor)


# --- Quand : DMP -----------------------------------------------------------------------------------
@when(parsers.re(rf'"(?P<actor>[^"]+)" consulte le DMP {OF}{OWN}'))
def consult_dmp(parcours: Parcours, actor: str, person: str, own: str | None) -> None:
    who, reader = parcours.cast.person(person), parcours.cast.professional(actor)
    software = parcours.dui
    if own:
        software = parcours.other_software()
        parcours.act("ins", software.qualify_ins, reader, who)
    try:
        parcours.consulted[reader.id] = parcours.act("dmp", software.consult_dmp, reader, who)
    except DuiRefused as exc:
        parcours.refusals.append(str(exc))
        parcours.consulted[reader.id] = []


FEED = rf'"(?P<actor>[^"]+)" verse "(?P<document>[^"]+)" {OF} au DMP(?P<secret>[^"]*?){OWN}'


@given(parsers.re(FEED))
@when(parsers.re(FEED))
def feed_dmp(parcours: Parcours, actor: str, document: str, person: str, secret: str, own: str | None) -> None:
    """One deposit per document listed; ", avec son accord" (or any unquoted words) is narration."""
    who, author = parcours.cast.person(person), parcours.cast.professional(actor)
    confidentiality = ("INVISIBLE_REPRESENTANTS_LEGAUX",) if "représentants légaux" in secret else ()
    software = parcours.dui
    if own:
        software = parcours.other_software()
        parcours.act("ins", software.qualify_ins, author, who)
    for phrase in split_documents(document):
        kind = document_kind(phrase)
        doc = make_document(kind.key, who.display_first_name, confidentiality=confidentiality)
        try:
            parcours.records.append((kind.key, parcours.act("dmp", software.feed_dmp, author, who, doc)))
        except DuiRefused as exc:
            parcours.refusals.append(str(exc))


@when(parsers.re(rf'"(?P<actor>[^"]+)" rédige "(?P<document>[^"]+)" {OF} dans le DUI'))
def produce(parcours: Parcours, actor: str, document: str, person: str) -> None:
    who, author, kind = parcours.cast.person(person), parcours.cast.professional(actor), document_kind(document)
    doc = make_document(kind.key, who.display_first_name)
    parcours.records.append((kind.key, parcours.act("", parcours.dui.produce_document, author, who, doc)))


# --- Quand : ROR -----------------------------------------------------------------------------------
@when(parsers.re(rf'"(?P<actor>[^"]+)" recherche dans le ROR une MECS à moins de (?P<km>\d+) km du domicile {OF}, '
                 r'pour son âge, avec des places disponibles'))
def search_mecs(parcours: Parcours, actor: str, km: str, person: str) -> None:
    who = parcours.cast.person(person)
    assert who.address is not None, f"{who.display_first_name} n'a pas d'adresse dans le monde du banc"
    query = RorQuery(near=who.address, radius_km=float(km), age=_age(who.birth_date), category_code="177",
                     label="une MECS")
    parcours.candidates = parcours.act("ror", parcours.dui.search_ror, parcours.cast.professional(actor), query)


def _age(birth_date: str) -> int:
    today = date.today()
    y, m, d = (int(x) for x in birth_date.split("-"))
    return today.year - y - ((today.month, today.day) < (m, d))


# --- Quand : récits hors socle, accord de la personne ------------------------------------------------------
NARRATION = r'hors socle, "(?P<actor>[^"]+)" (?P<what>.+)'


@given(parsers.re(NARRATION))
@when(parsers.re(NARRATION))
def outside_the_socle(parcours: Parcours, actor: str, what: str) -> None:
    """Phone, videoconference, ViaTrajectoire, teleconsultation: told, not simulated (no service call)."""
    _anyone(parcours.cast, actor)
    parcours.narration.append(f"{actor} {what}")


@given(parsers.re(r'"(?P<person>[^"]+)" a donné son accord pour "(?P<what>[^"]+)"'))
def consent(parcours: Parcours, person: str, what: str) -> None:
    """The person's (or their representative's) agreement, kept for the journey: photos, DMP feeds."""
    who = parcours.cast.person(person)
    parcours.memory.consents.add((parcours.target.session, who.id, what))


def _anyone(cast: Cast, phrase: str) -> object:
    for finder in (cast.professional, cast.person, cast.establishment):
        try:
            return finder(phrase)
        except LookupError:
            continue
    raise AssertionError(f"personne ni structure dans le monde du banc : « {phrase} »")


# --- Quand : fils de discussion et transferts MSSanté ------------------------------------------------------
def _received(parcours: Parcours, reader: object, box: str, document: str) -> ReceivedMessage:
    """The latest message of ``box`` about ``document`` (its label in the subject), read through the DUI."""
    kinds = [document_kind(phrase) for phrase in split_documents(document)]
    messages = parcours.act("imap", parcours.dui.read_mailbox, reader, box)

    found = [m for m in messages if all(fold(k.label) in fold(decoded(m.subject)) for k in kinds)]
    if not found:
        subjects = ", ".join(f"« {decoded(m.subject)} »" for m in messages[-5:]) or "aucun message"
        raise AssertionError(f"attendu dans la boîte {box} un message « {document} », obtenu : {subjects}")
    original = found[-1]
    return original if original.mailbox else ReceivedMessage(**{**original.__dict__, "mailbox": box})


REPLY = (rf'"(?P<actor>[^"]+)" répond dans le fil (?:de |du |d\'|d’)"(?P<document>[^"]+)" {OF}{BOX}'
         r'(?: en joignant "(?P<attached>[^"]+)")? : "(?P<text>[^"]+)"')


@given(parsers.re(REPLY))
@when(parsers.re(REPLY))
def reply_in_thread(parcours: Parcours, actor: str, document: str, person: str, box: str | None,
                    attached: str | None, text: str) -> None:
    cast = parcours.cast
    who, replier = cast.person(person), cast.professional(actor)
    mailbox = mss_address_of(_structure_or_professional(cast, box)) if box else replier.mss_address
    original = _received(parcours, replier, mailbox, document)
    docs = tuple(make_document(document_kind(p).key, f"{who.display_first_name} {who.display_last_name}")
                 for p in split_documents(attached or ""))
    result = parcours.act("smtp", parcours.dui.reply_message, replier, original, text, docs)
    parcours.replies.append((document, original, result))


FORWARD = rf'"(?P<actor>[^"]+)" transfère par MSSanté "(?P<document>[^"]+)" {OF} {TO}{BOX}(?: : "(?P<note>[^"]+)")?'


@when(parsers.re(FORWARD))
def forward(parcours: Parcours, actor: str, document: str, person: str, recipients: str, box: str | None,
            note: str | None) -> None:
    cast = parcours.cast
    cast.person(person)
    forwarder = cast.professional(actor)
    mailbox = mss_address_of(_structure_or_professional(cast, box)) if box else forwarder.mss_address
    original = _received(parcours, forwarder, mailbox, document)
    targets = cast.recipients(recipients)
    result = parcours.act("smtp", parcours.dui.forward_message, forwarder, original, targets, note or "")
    parcours.forwards.append((original, result, targets))


# --- Quand : ROR, par catégorie, offre ou unité, autour d'un domicile ----------------------------------------
ROR_SEARCH = (r'"(?P<actor>[^"]+)" recherche dans le ROR "(?P<what>[^"]+)"(?: avec "(?P<offer>[^"]+)")? '
              r'à moins de (?P<km>\d+) km du domicile (?:de |d\'|d’|du |de la |des )?"(?P<person>[^"]+)"'
              r'(?P<age>, pour son âge)?(?P<places>, avec des places disponibles)?')


@when(parsers.re(ROR_SEARCH))
def search_ror(parcours: Parcours, actor: str, what: str, offer: str | None, km: str, person: str,
               age: str | None, places: str | None) -> None:
    """Any category (EHPAD, MECS, CAMSP, DIME, SMR...) with or without a special unit (UVP, PASA...), around
    the home of the person or of a relative ("du domicile du "cousin de Daniel""), nearest first."""
    home = parcours.cast.person(person)
    assert home.address is not None, f"{home.display_first_name} n'a pas d'adresse dans le monde du banc"
    category, offer_type = ror_offer(what)
    unit = ror_offer(offer)[1] if offer else ""
    subject = parcours.cast.owner(person)  # whose age: Daniel's, not his cousin's
    label = f"{what}{f' avec {offer}' if offer else ''}"
    query = RorQuery(near=home.address, radius_km=float(km), age=_age(subject.birth_date) if age else None,
                     category_code=category, offer_type=unit or offer_type, available_only=bool(places), label=label)
    parcours.candidates = parcours.act("ror", parcours.dui.search_ror, parcours.cast.professional(actor), query)
