"""The observe driver: a person (or an external automation) acts in their own DUI, the bench watches.

Each action prints one French instruction ("Dans votre DUI, envoyez ... ; en attente (120 s)") and
waits for the matching exchange on the simulators through the admin API. Nothing is assumed from
the DUI's screen: the result returned to the step is rebuilt from what the simulators received, so
the step's own verifications (mailbox content, DMP content, conformance) stay the judge.

Actions whose correct outcome is *no* exchange (a report to the judge goes by ordinary e-mail, an
educational report stays in the DUI) wait a short grace period and return what was seen, so a DUI
that wrongly calls a service during that time is still caught.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

from simulators.core.exchange import Exchange
from simulators.identities.model import Establishment, Person, Professional

from conformance.drivers.base import (
    BenchTarget, DmpEntry, Document, DuiDriver, IdentityResult, OutgoingMessage, ReceivedMessage,
    RecordResult, RorCandidate, RorQuery, SendResult,
)
from conformance.drivers.documents import kind_of
from conformance.drivers.probe import BenchProbe, WaitTimeout
from conformance.drivers.recipients import born, de, mss_address_of, who

Notify = Callable[[dict[str, Any]], None]


def console_notifier(stream: TextIO | None = None) -> Notify:
    def notify(instruction: dict[str, Any]) -> None:
        out = stream or sys.stderr
        out.write(f"\n>>> {instruction['text']}\n")
        out.flush()
    return notify


def jsonl_notifier(path: str) -> Notify:
    """One JSON object per instruction, for an external automation tailing the file."""
    def notify(instruction: dict[str, Any]) -> None:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(instruction, ensure_ascii=False) + "\n")
    return notify


def entries_seen(exchange: Exchange) -> list[DmpEntry]:
    """The document entries the DMP returned in an ITI-18 answer (what the professional could see)."""
    from simulators.codecs.mtom import split_soap_request
    from simulators.codecs.soap import parse_envelope
    from simulators.dmp.codec import xds

    content_type = next((v for k, v in exchange.response_headers.items() if k.lower() == "content-type"), "")
    root, _parts = split_soap_request(exchange.response_body, content_type)
    payload = parse_envelope(root, content_type).payload
    if payload is None:
        return []
    result = xds.parse_adhoc_query_response(payload)
    return [DmpEntry(unique_id=e.unique_id, type_code=e.type_code.code if e.type_code else "", title=e.title,
                     confidentiality=tuple(c.code for c in e.confidentiality)) for e in result.entries]


class ObserveDriver(DuiDriver):
    name = "observe"
    description = "observation : une personne ou un automate agit dans son DUI, le banc attend les échanges"

    def __init__(self, notify: Notify | None = None, *, timeout_s: float | None = None,
                 grace_s: float = 3.0) -> None:
        self.notify = notify or console_notifier()
        self.timeout_s = timeout_s
        self.grace_s = grace_s
        self.probe: BenchProbe | None = None
        self._sequence = 0

    def open(self, target: BenchTarget) -> None:
        super().open(target)
        self.probe = BenchProbe(target.admin_url, target.session)
        if self.timeout_s is None:
            self.timeout_s = target.timeout_s

    # --- plumbing -------------------------------------------------------------------------------
    def _ask(self, action: str, text: str, *, service: str, matcher: Callable[[Exchange], bool],
             what: str, count: int = 1, expect_nothing: bool = False, **details: Any) -> list[Exchange]:
        assert self.probe is not None, "driver not opened"
        self._sequence += 1
        cursor = self.probe.cursor()
        wait = self.grace_s if expect_nothing else float(self.timeout_s or 120.0)
        suffix = f"puis attendez {wait:.0f} s" if expect_nothing else f"en attente ({wait:.0f} s)"
        self.notify({"seq": self._sequence, "action": action, "service": service, "session": self.target.session,
                     "text": f"Dans votre DUI, {text} ; {suffix}", **details})
        try:
            return self.probe.wait_for(matcher, what=what, service=service, after=cursor, timeout_s=wait,
                                       count=count)
        except WaitTimeout:
            if expect_nothing:
                return []
            raise

    # --- INSi -----------------------------------------------------------------------------------
    def qualify_ins(self, actor: Professional, person: Person) -> IdentityResult:
        def matches(ex: Exchange) -> bool:
            traits = ex.summary.get("traits") or {}
            return ex.status == 200 and str(traits.get("date", "")) == person.birth_date
        found = self._ask("qualify_ins", f"qualifiez l'INS {de(person.display_first_name)} {person.display_last_name} "
                          f"({born(person)}) en tant que {actor.role}, pièce d'identité vérifiée",
                          service="ins", matcher=matches, what=f"une recherche INSi pour {person.display_first_name}",
                          person=person.id, actor=actor.id)
        ex = found[-1]
        ins = ex.summary.get("ins") or {}
        traits = ex.summary.get("traits") or {}
        status = "QUAL" if ex.summary.get("cr") == "00" and ins else "PROV"
        return IdentityResult(status=status, ins=str(ins.get("matricule", "")), oid=str(ins.get("oid", "")),
                              birth_name=str(traits.get("nom", "")), given_names=" ".join(traits.get("prenoms") or []),
                              sex=str(traits.get("sexe", "")), birth_date=str(traits.get("date", "")),
                              birth_place=str(traits.get("lieu", "")), cr=str(ex.summary.get("cr", "")))

    # --- Annuaire / MSS ---------------------------------------------------------------------------
    def find_mailbox(self, actor: Professional, target: Establishment | Professional) -> str:
        self._ask("find_mailbox", f"recherchez dans l'Annuaire santé l'adresse MSSanté de {who(target)}",
                  service="annuaire", matcher=lambda ex: ex.status == 200, what="une recherche dans l'Annuaire santé",
                  target=target.id, actor=actor.id)
        return mss_address_of(target)

    def send_message(self, actor: Professional, message: OutgoingMessage) -> SendResult:
        mss = [a for a in (mss_address_of(r) for r in message.recipients) if a]
        outside = tuple(who(r) for r in message.recipients if not mss_address_of(r))
        names = ", ".join(who(r) for r in message.recipients)
        attachments = ", ".join([a.filename for a in message.attachments]
                                + [f"{d.as_attachment().filename} ({kind_of(d).label}, {d.mime_type})"
                                   for d in message.documents]) or "aucune"
        text = (f"en tant que {actor.role} ({message.sender_box or actor.mss_address or actor.id}), envoyez « {message.subject} » à {names} "
                f"(pièces jointes : {attachments}{', avec IHE_XDM.zip' if message.xdm else ''})")

        def delivered_to(ex: Exchange) -> set[str]:
            return {r.get("recipient", "").lower() for r in ex.summary.get("recipients") or [] if r.get("delivered")}

        if not mss:
            found = self._ask("send_message", text + " par le canal adapté (hors MSSanté)", service="mss",
                              matcher=lambda ex: ex.operation == "send", what="aucun envoi MSSanté",
                              expect_nothing=True, recipients=list(outside), actor=actor.id)
            refused = {r["recipient"]: str(r.get("text", "")) for ex in found for r in ex.summary.get("recipients") or []
                       if not r.get("delivered")}
            return SendResult(refused=refused, outside_mss=outside)
        wanted = {a.lower() for a in mss}
        found = self._ask("send_message", text, service="mss",
                          matcher=lambda ex: ex.operation == "send" and wanted <= delivered_to(ex),
                          what=f"un message MSSanté pour {', '.join(sorted(wanted))}",
                          recipients=sorted(wanted), actor=actor.id, subject=message.subject)
        ex = found[-1]
        return SendResult(message_id=str(ex.summary.get("message_id", "")), accepted=tuple(sorted(delivered_to(ex))),
                          outside_mss=outside)

    def read_mailbox(self, actor: Professional, mailbox: str) -> list[ReceivedMessage]:
        self._ask("read_mailbox", f"en tant que {actor.role}, relevez la boîte {mailbox}", service="mss",
                  matcher=lambda ex: ex.protocol == "imap" and "fetch" in ex.operation,
                  what=f"une lecture IMAP de {mailbox}", mailbox=mailbox, actor=actor.id)
        assert self.probe is not None
        return [ReceivedMessage(sender=m.get("sender", ""), subject=m.get("subject", ""),
                                message_id=m.get("message_id", ""), mailbox=mailbox)
                for m in self.probe.mailbox_messages(mailbox) or []]

    def reply_message(self, actor: Professional, original: ReceivedMessage, body: str,
                      documents: tuple[Document, ...] = ()) -> SendResult:
        box = original.mailbox or actor.mss_address
        joined = ", ".join(f"{d.as_attachment().filename} ({kind_of(d).label})" for d in documents) or "aucune"
        found = self._ask("reply_message", f"en tant que {actor.role} ({box}), répondez dans le fil au message "
                          f"« {original.subject} » de {original.sender} : « {body} » (pièces jointes : {joined})",
                          service="mss", matcher=lambda ex: ex.operation == "send" and (ex.summary.get("sender") or "")
                          .lower() in ("", box.lower()), what=f"une réponse MSSanté depuis {box}",
                          actor=actor.id, subject=original.subject)
        return SendResult(message_id=str(found[-1].summary.get("message_id", "")))

    def forward_message(self, actor: Professional, original: ReceivedMessage, recipients: tuple,
                        note: str = "") -> SendResult:
        wanted = {a.lower() for a in (mss_address_of(r) for r in recipients) if a}
        attachments = ", ".join(original.attachments) or "celles du message reçu"
        found = self._ask("forward_message", f"en tant que {actor.role}, transférez le message « {original.subject} » "
                          f"à {', '.join(who(r) for r in recipients)} avec ses pièces jointes ({attachments}), "
                          f"en ajoutant : « {note} »", service="mss",
                          matcher=lambda ex: ex.operation == "send" and wanted <= {
                              str(r.get("recipient", "")).lower() for r in ex.summary.get("recipients") or []
                              if r.get("delivered")},
                          what=f"un transfert MSSanté pour {', '.join(sorted(wanted))}", actor=actor.id,
                          recipients=sorted(wanted))
        return SendResult(message_id=str(found[-1].summary.get("message_id", "")), accepted=tuple(sorted(wanted)))

    # --- DMP ------------------------------------------------------------------------------------
    def consult_dmp(self, actor: Professional, person: Person) -> list[DmpEntry]:
        found = self._ask("consult_dmp", f"en tant que {actor.role}, consultez le DMP {de(person.display_first_name)} "
                          f"{person.display_last_name}", service="dmp",
                          matcher=lambda ex: ex.status == 200 and "iti18" in ex.operation.lower().replace("-", ""),
                          what=f"une consultation du DMP {de(person.display_first_name)}", person=person.id, actor=actor.id)
        return entries_seen(found[-1])

    def feed_dmp(self, actor: Professional, person: Person, document: Document) -> RecordResult:
        kind = kind_of(document)
        found = self._ask("feed_dmp", f"en tant que {actor.role}, versez au DMP {de(person.display_first_name)} "
                          f"le document « {document.title} » ({kind.label})", service="dmp",
                          matcher=lambda ex: "iti41" in ex.operation.lower().replace("-", ""),
                          what=f"un dépôt au DMP ({kind.label})", person=person.id, actor=actor.id)
        ex = found[-1]
        return RecordResult(fed_dmp=ex.status == 200, unique_id=str(ex.summary.get("unique_id", "")))

    def produce_document(self, actor: Professional, person: Person, document: Document) -> RecordResult:
        kind = kind_of(document)
        found = self._ask("produce_document", f"en tant que {actor.role}, rédigez et enregistrez « {document.title} » "
                          f"({kind.label}) dans le dossier {de(person.display_first_name)}", service="dmp",
                          matcher=lambda ex: "iti41" in ex.operation.lower().replace("-", ""),
                          what="un éventuel dépôt au DMP", expect_nothing=True, person=person.id, actor=actor.id)
        return RecordResult(fed_dmp=bool(found), reason="" if found else "aucun dépôt observé")

    # --- ROR ------------------------------------------------------------------------------------
    def search_ror(self, actor: Professional, query: RorQuery) -> list[RorCandidate]:
        what = query.label or f"les établissements (catégorie {query.category_code})"
        found = self._ask("search_ror", f"en tant que {actor.role}, recherchez dans le ROR {what} "
                          f"à moins de {query.radius_km:.0f} km de {query.near.city}"
                          + (f" accueillant une personne de {query.age} ans" if query.age is not None else "")
                          + (" avec des places disponibles" if query.available_only else ""), service="ror",
                          matcher=lambda ex: ex.status == 200 and ex.method == "GET" and "token" not in ex.operation,
                          what="une recherche dans le ROR", actor=actor.id)
        names = found[-1].summary.get("organizations") or found[-1].summary.get("results") or []
        return [RorCandidate(name=str(n.get("name", n)) if isinstance(n, dict) else str(n)) for n in names]
