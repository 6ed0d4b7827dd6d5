"""The "Alors" steps: what must be observable on the simulators after the DUI acted.

Each verification reads the bench (journal, mailboxes, DMP through a reader's consultation) and fails
with a French sentence saying what was expected and what was found.
"""

from __future__ import annotations

import email
import email.policy
import smtplib

from pytest_bdd import parsers, then

from simulators.identities.ins import patient_mss_address
from simulators.identities.model import Establishment, Professional

from conformance.drivers.recipients import de, mss_address_of
from features.steps.cast import document_kind, fold, split_documents, split_names, status_code, STATUS_NAMES
from features.steps.context import LABELS, Parcours, service_of
from features.steps import verify
from features.steps.socle import OF
from conformance.drivers.probe import BenchProbe
from conformance.drivers.reference_mss import MssPart
from simulators.mss.client import compose


@then(parsers.parse('l\'Annuaire santé a été interrogé et donne la boîte "{address}"'))
def annuaire_gave(parcours: Parcours, address: str) -> None:
    calls = [e for e in parcours.exchanges("annuaire") if e.status == 200]
    assert calls, "attendu une recherche dans l'Annuaire santé pendant le scénario, obtenu aucune"
    assert parcours.found_address == address, (f"adresse trouvée dans l'Annuaire santé : attendu {address!r}, "
                                               f"obtenu {parcours.found_address!r}")


@then(parsers.re(r'(?:la boîte|les boîtes) MSSanté (?:de |du |des |d\')"(?P<recipients>[^"]+)" (?:a|ont) reçu '
                 r'"(?P<document>[^"]+)"(?P<attachment> avec (?:sa|ses|leur|leurs) pièces? jointes?)?'))
def mailboxes_received(parcours: Parcours, recipients: str, document: str, attachment: str | None) -> None:
    kind = document_kind(document)
    for record in parcours.cast.recipients(recipients):
        address = mss_address_of(record)
        assert address, f"{record.id} n'a pas de boîte MSSanté sur le banc"
        verify.message_in_mailbox(parcours, address, kind, attachment=bool(attachment))


@then(parsers.re(r'un seul message MSSanté a été envoyé, (?:à|au|aux) "(?P<recipients>[^"]+)"'))
def one_message(parcours: Parcours, recipients: str) -> None:
    wanted = {mss_address_of(r).lower() for r in parcours.cast.recipients(recipients)}
    sends = [e for e in verify.send_exchanges(parcours) if verify.delivered(e) & wanted]
    assert len(sends) == 1, (f"attendu un seul message pour {len(wanted)} destinataires, obtenu {len(sends)} envoi(s) "
                             "MSSanté")
    missing = wanted - verify.delivered(sends[0])
    assert not missing, f"destinataires absents du message : {', '.join(sorted(missing))}"


@then(parsers.re(rf'le statut de l\'INS {OF} est "(?P<status>[^"]+)"'))
def identity_status(parcours: Parcours, person: str, status: str) -> None:
    who = parcours.cast.person(person)
    identity = parcours.memory.identities.get(who.id)
    assert identity is not None, f"aucune identité {de(who.display_first_name)} dans le DUI"
    expected = status_code(status)
    assert identity.status == expected, (f"statut de l'INS {de(who.display_first_name)} : attendu « {status} », obtenu "
                                         f"« {STATUS_NAMES.get(identity.status, identity.status)} » "
                                         f"(compte rendu INSi {identity.cr or '-'}"
                                         + "".join(f" ; {w}" for w in identity.warnings) + ")")
    if expected == "QUAL":
        lookups = [e for e in verify.insi_lookups(parcours, who) if e.summary.get("cr") == "00"]
        assert lookups, (f"attendu une réponse INSi 00 pour {who.display_first_name} pendant le scénario, obtenu "
                         f"{[e.summary.get('cr') or e.status for e in verify.insi_lookups(parcours, who)] or 'aucun appel'}")
        returned = (lookups[-1].summary.get("ins") or {}).get("matricule", "")
        assert identity.ins == returned, f"INS gardée par le DUI {identity.ins!r} ≠ INS renvoyée par INSi {returned!r}"


@then(parsers.re(rf'le téléservice INSi a reçu les traits normalisés {OF}'))
def normalised_traits(parcours: Parcours, person: str) -> None:
    verify.assert_normalised_traits(parcours, parcours.cast.person(person))


@then(parsers.parse('les échanges avec le service "{service}" sont conformes'))
def conformant(parcours: Parcours, service: str) -> None:
    services, endpoint = service_of(service)
    parcours.require(endpoint)
    verify.assert_conformant(parcours, services, LABELS.get(endpoint, service))


@then("aucun service socle n'a été appelé")
def nothing_called(parcours: Parcours) -> None:
    calls = parcours.exchanges()
    assert not calls, "attendu aucun appel aux services socle, obtenu : " + ", ".join(
        f"{e.service} {e.operation}" for e in calls[:5])


# --- Justice, hors espace de confiance --------------------------------------------------------------
@then("rien n'a été envoyé par MSSanté au domaine de la Justice")
def nothing_to_justice(parcours: Parcours) -> None:
    attempts = verify.outside_attempts(parcours)
    assert not attempts, ("le DUI a tenté d'envoyer par MSSanté hors de l'espace de confiance (la Justice se "
                          "contacte par courriel ordinaire) : " + ", ".join(attempts))


@then(parsers.parse('l\'opérateur MSSanté refuse un envoi de "{actor}" vers "{recipient}" dès la commande RCPT, '
                   'sans avis de non-remise'))
def operator_refuses(parcours: Parcours, actor: str, recipient: str) -> None:
    """A property of the bench, shown with the reference client in a session of its own (so the
    demonstration never counts against the DUI under test): the operator refuses outside domains at RCPT
    (550 5.7.1) and, having said so in the SMTP session, sends no failure DSN on top of it."""
    parcours.require("smtp")
    from dataclasses import replace


    demo = replace(parcours.target, session=f"{parcours.target.session[:55]}-demo")
    probe = BenchProbe(demo.admin_url, demo.session)
    probe.ensure_session("démonstration du banc : refus hors espace de confiance")
    cursor = probe.cursor()
    sender, target = parcours.cast.professional(actor), parcours.cast.recipient(recipient)
    address = getattr(target, "email", "") or mss_address_of(target)
    part = MssPart(demo)
    message = compose(sender.mss_address, sender.role, [address], "Rapport (essai hors espace de confiance)", "Essai")
    try:
        refused = part.client.send(message, sender.mss_address, part.token(sender.mss_address))
    except smtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients
    assert address in refused, f"attendu un refus de l'opérateur pour {address}, obtenu une acceptation"
    code, text = refused[address]
    assert code == 550 and b"5.7.1" in text, f"attendu 550 5.7.1 au RCPT pour {address}, obtenu {code} {text!r}"
    probe.wait_for(lambda e: e.operation == "send" and any(
        r.get("recipient") == address and not r.get("delivered") for r in e.summary.get("recipients") or []),
        what=f"le refus journalisé pour {address}", service="mss", after=cursor, timeout_s=5)
    bounces = [m for m in probe.mailbox_messages(sender.mss_address) or []
               if "non" in fold(verify.decoded(m.get("subject", ""))) or "mailer-daemon" in m.get("sender", "").lower()
               or "postmaster" in m.get("sender", "").lower()]
    assert not bounces, (f"le refus au RCPT a déjà informé le DUI : aucun avis de non-remise attendu dans la boîte "
                         f"{sender.mss_address}, obtenu {len(bounces)}")


# --- Mon espace santé ------------------------------------------------------------------------------------
@then(parsers.re(rf'le message a été adressé à l\'adresse Mon espace santé {OF}, construite depuis son INS qualifiée'))
def sent_to_mes(parcours: Parcours, person: str) -> None:
    who = parcours.cast.person(person)
    identity = parcours.memory.identities.get(who.id)
    assert identity is not None and identity.qualified, f"l'INS de {who.display_first_name} n'est pas qualifiée"
    address = patient_mss_address(identity.ins)
    assert address == who.mes_address, f"adresse Mon espace santé : attendu {who.mes_address}, construite {address}"
    delivered = set().union(*(verify.delivered(e) for e in verify.send_exchanges(parcours))) if parcours.sent else set()
    assert address in delivered, (f"attendu un message distribué à {address}, obtenu des envois à "
                                  f"{', '.join(sorted(delivered)) or 'personne'}")


@then(parsers.parse('"{actor}" a relevé "{document}" dans la boîte MSSanté'))
def read_found(parcours: Parcours, actor: str, document: str) -> None:
    kind = document_kind(document)
    imap = [e for e in parcours.exchanges("mss") if e.protocol == "imap"]
    assert imap, "attendu une relève IMAP de la boîte pendant le scénario, obtenu aucune"
    subjects = [verify.decoded(m.subject) for m in parcours.received]
    assert any(fold(kind.label) in fold(s) for s in subjects), (f"attendu « {kind.label} » parmi les messages relevés, "
                                                                f"obtenu : {subjects or 'aucun message'}")


# --- DMP ---------------------------------------------------------------------------------------------
def _seen(parcours: Parcours, actor: str) -> tuple[str, set[str]]:
    reader = parcours.cast.professional(actor)
    if reader.id not in parcours.consulted:
        raise AssertionError(f"{actor} n'a pas consulté le DMP dans ce scénario")
    return reader.role, {e.type_code for e in parcours.consulted[reader.id]}


@then(parsers.re(rf'"(?P<actor>[^"]+)" voit "(?P<documents>[^"]+)" dans le DMP {OF}'))
def sees(parcours: Parcours, actor: str, documents: str, person: str) -> None:
    role, codes = _seen(parcours, actor)
    for phrase in split_documents(documents):
        kind = document_kind(phrase)
        assert kind.code in codes, (f"{role} devrait voir « {kind.label} » ({kind.code}) dans le DMP, documents vus : "
                                    f"{', '.join(sorted(codes)) or 'aucun'}")


@then(parsers.re(rf'"(?P<actor>[^"]+)" ne voit pas "(?P<documents>[^"]+)" dans le DMP {OF}'))
def does_not_see(parcours: Parcours, actor: str, documents: str, person: str) -> None:
    role, codes = _seen(parcours, actor)
    for phrase in split_documents(documents):
        kind = document_kind(phrase)
        assert kind.code not in codes, (f"{role} ne devrait pas voir « {kind.label} » ({kind.code}) : la matrice "
                                        "d'habilitation ou la confidentialité du document l'interdit")


@then(parsers.re(rf'"(?P<document>[^"]+)" {OF} (?:a|ont) été versée?s? au DMP'))
def was_fed(parcours: Parcours, document: str, person: str) -> None:
    assert not parcours.refusals, f"le DUI a refusé : {'; '.join(parcours.refusals)}"
    for phrase in split_documents(document):
        kind = document_kind(phrase)
        fed = [r for k, r in parcours.records if k == kind.key and r.fed_dmp]
        assert fed, f"attendu « {kind.label} » versé au DMP, obtenu aucun dépôt"
    feeds = [e for e in parcours.exchanges("dmp") if e.status == 200 and "41" in e.operation]
    assert feeds, "attendu une transaction de dépôt (ITI-41) acceptée par le DMP pendant le scénario, obtenu aucune"


@then(parsers.re(rf'"(?P<document>[^"]+)" {OF} reste dans le DUI et n\'est pas versé au DMP'))
def not_fed(parcours: Parcours, document: str, person: str) -> None:
    kind = document_kind(document)
    fed = [r for k, r in parcours.records if k == kind.key and r.fed_dmp]
    feeds = [e for e in parcours.exchanges("dmp") if "41" in e.operation]
    assert not fed and not feeds, (f"« {kind.label} » est un document éducatif ou social : il ne se verse jamais au "
                                   f"DMP, or le DUI a fait {len(feeds)} dépôt(s) au DMP pendant le scénario")


# --- ROR -------------------------------------------------------------------------------------------
@then(parsers.parse('le ROR propose "{establishments}"'))
def ror_proposes(parcours: Parcours, establishments: str) -> None:
    assert parcours.exchanges("ror"), "attendu une recherche dans le ROR pendant le scénario, obtenu aucune"
    names = {fold(c.name) for c in parcours.candidates}
    for phrase in split_names(establishments):
        wanted = parcours.cast.establishment(phrase)
        assert fold(wanted.name) in names, (f"attendu {wanted.name} parmi les établissements proposés par le ROR, "
                                            f"obtenu : {', '.join(c.name for c in parcours.candidates) or 'aucun'}")


@then(parsers.parse('le ROR ne propose pas "{establishments}"'))
def ror_excludes(parcours: Parcours, establishments: str) -> None:
    names = {fold(c.name) for c in parcours.candidates}
    for phrase in split_names(establishments):
        unwanted = parcours.cast.establishment(phrase)
        assert fold(unwanted.name) not in names, f"{unwanted.name} ne devrait pas être proposé (distance, âge ou places)"


# --- Annuaire santé, par rôle -------------------------------------------------------------------------
@then(parsers.re(r'l\'Annuaire santé a été interrogé et donne la boîte (?:de |du |des |d\'|d’)"(?P<target>[^"]+)"'))
def annuaire_gave_box_of(parcours: Parcours, target: str) -> None:
    cast = parcours.cast
    record: Establishment | Professional
    try:
        record = cast.establishment(target)
    except LookupError:
        record = cast.professional(target)
    annuaire_gave(parcours, mss_address_of(record))


# --- Pièces jointes, fils et transferts ----------------------------------------------------------------
def _raw_messages(parcours: Parcours, address: str) -> list[tuple[dict, email.message.EmailMessage]]:
    found = []
    for meta in parcours.probe.mailbox_messages(address) or []:
        raw = parcours.probe.mailbox_message_raw(address, int(meta["uid"]))
        found.append((meta, email.message_from_bytes(raw, policy=email.policy.default)))
    return found


def _attachments(msg: email.message.EmailMessage) -> dict[str, tuple[str, bytes]]:
    return {name: (part.get_content_type(), _decoded(part)) for part in msg.walk() if (name := part.get_filename())}


def _decoded(part: email.message.Message) -> bytes:
    payload = part.get_payload(decode=True)  # a leaf's transfer-decoded bytes (None when empty)
    return payload if isinstance(payload, bytes) else b""


@then(parsers.re(r'la pièce jointe reçue par "(?P<recipient>[^"]+)" est au format "(?P<mime>[^"]+)"'))
def attachment_format(parcours: Parcours, recipient: str, mime: str) -> None:
    address = mss_address_of(parcours.cast.recipient(recipient))
    sent_ids = {s.result.message_id.strip("<>") for s in parcours.sent if s.result.message_id}
    mine = [m for meta, m in _raw_messages(parcours, address) if str(m.get("Message-ID", "")).strip("<> ") in sent_ids]
    assert mine, f"aucun message de ce scénario dans la boîte {address}"
    types = [t for t, _ in _attachments(mine[-1]).values()]
    assert mime in types, f"pièce jointe attendue au format {mime}, obtenu : {', '.join(types) or 'aucune pièce jointe'}"


@then(parsers.re(r'"(?P<recipient>[^"]+)" a reçu la réponse dans le fil (?:de |du |d\'|d’)"(?P<document>[^"]+)"'))
def reply_received(parcours: Parcours, recipient: str, document: str) -> None:
    """The answer is in the recipient's box and threads on the original (In-Reply-To = its Message-ID)."""
    replies = [(original, sent) for doc, original, sent in parcours.replies if fold(doc) == fold(document)]
    assert replies, f"aucune réponse dans le fil « {document} » pendant ce scénario"
    original, _sent = replies[-1]
    address = mss_address_of(parcours.cast.recipient(recipient))
    wanted = original.message_id.strip().strip("<>")
    for _meta, msg in _raw_messages(parcours, address):
        if str(msg.get("In-Reply-To", "")).strip().strip("<>") == wanted:
            return
    raise AssertionError(f"attendu dans la boîte {address} une réponse au message « {verify.decoded(original.subject)} » "
                         f"(In-Reply-To {original.message_id}), obtenu aucune")


@then(parsers.re(r'le message transféré (?:à|au|aux) "(?P<recipients>[^"]+)" garde les pièces jointes et l\'INS du '
                 r'message d\'origine'))
def forward_kept(parcours: Parcours, recipients: str) -> None:
    assert parcours.forwards, "aucun transfert pendant ce scénario"
    original, sent, _targets = parcours.forwards[-1]
    source = next((m for _meta, m in _raw_messages(parcours, original.mailbox)
                   if str(m.get("Message-ID", "")).strip() == original.message_id.strip()), None)
    assert source is not None, f"message d'origine introuvable dans {original.mailbox}"
    before = _attachments(source)
    for record in parcours.cast.recipients(recipients):
        address = mss_address_of(record)
        forwarded = [m for _meta, m in _raw_messages(parcours, address)
                     if str(m.get("Message-ID", "")).strip("<> ") == sent.message_id.strip("<> ")]
        assert forwarded, f"le message transféré n'est pas dans la boîte {address}"
        after = _attachments(forwarded[-1])
        for name, (_ctype, data) in before.items():
            assert name in after, f"pièce jointe {name} perdue au transfert vers {address}"
            assert after[name][1] == data, f"pièce jointe {name} modifiée au transfert vers {address}"
        for header in ("X-MSS-INS", "X-MSS-CODECDA"):
            assert str(forwarded[-1].get(header, "")) == str(source.get(header, "")), (
                f"en-tête {header} : « {source.get(header, '')} » à l'origine, « {forwarded[-1].get(header, '')} » "
                "après transfert")


# --- ROR : l'ordre des résultats --------------------------------------------------------------------
@then("les résultats du ROR sont classés du plus proche au plus lointain, avec leur distance")
def ror_nearest_first(parcours: Parcours) -> None:
    assert parcours.candidates, "le ROR n'a rien proposé"
    distances = [c.distance_km for c in parcours.candidates]
    known = [d for d in distances if d is not None]
    assert len(known) == len(distances), f"distance absente d'un résultat : {distances}"
    assert known == sorted(known), f"résultats non classés par distance : {distances}"


# --- DMP : ce qui ne doit pas y aller -------------------------------------------------------------------
@then(parsers.re(rf'"(?P<document>[^"]+)" {OF} n\'a été versée? au DMP par personne'))
def never_in_dmp(parcours: Parcours, document: str, person: str) -> None:
    """An MSSanté-only document (arrêt de travail, bon de transport...): no deposit carried it in the scenario."""
    kind = document_kind(document)
    assert not kind.dmp, f"« {kind.label} » peut aller au DMP : la vérification n'a pas de sens"
    label = fold(kind.label).encode()
    carried = [e for e in parcours.exchanges("dmp") if "41" in e.operation
               and label in fold(e.request_body.decode("utf-8", "replace")).encode()]
    assert not carried, f"« {kind.label} » ({kind.where}) a été déposé au DMP : {len(carried)} dépôt(s)"
