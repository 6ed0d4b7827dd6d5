"""The operator's routing and delivery: who may write to whom, storing, DSNs, MDNs, patient threads.

Protocol-free (the SMTP adapter translates `Refusal`s into replies) and synchronous: the adapter
runs `accept` in a worker thread so database writes never block the asyncio loop.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import format_datetime, getaddresses, make_msgid
from datetime import datetime, UTC
from typing import Any

from ..codec.mime import analyse_message, parse_message
from ..codec.mdn import build_mdn
from ..codec.dsn import build_dsn
from ..model import PATIENT_KIND, Mailbox, RecipientOutcome, Refusal
from ..rules import (DEFAULT_OPERATOR_LIMIT_BYTES, TrustSpace, address_refusal, closes_thread, is_patient_address,
                    local_refusal, patient_refusal, patient_reply_refusal, patient_to_patient_refusal,
                    size_refusal, trust_space_refusal)
from ..store import Delivery, MssStore

log = logging.getLogger("socle_bench.mss")


@dataclass(frozen=True)
class OperatorOptions:
    hostname: str = "mss.socle-bench.test"
    max_message_bytes: int = DEFAULT_OPERATOR_LIMIT_BYTES
    max_recipients: int = 1000
    return_receipt_dsn: bool = True  # honour the legacy Return-Receipt-To header with a success DSN
    auto_mdn: bool = True  # PFI boxes answer with the ANS processing MDN
    app_plain_login: bool = True  # APP boxes may finish with PLAIN/LOGIN after a certificate handshake

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> OperatorOptions:
        known = {k: v for k, v in options.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class Operator:
    def __init__(self, store: MssStore, trust: TrustSpace, options: OperatorOptions) -> None:
        self.store = store
        self.trust = trust
        self.options = options

    # --- envelope checks ---------------------------------------------------------------------------
    def check_sender(self, principal_address: str, mail_from: str) -> Refusal | None:
        if mail_from.lower() != principal_address.lower():
            return Refusal(553, "5.7.1", f"Expéditeur {mail_from} non autorisé : la session est celle de "
                                         f"{principal_address}")
        return None

    def check_recipient(self, session: str, sender: Mailbox, address: str) -> Refusal | None:
        refusal = address_refusal(address) or trust_space_refusal(address, self.trust)
        if refusal:
            return refusal
        box = self.store.mailbox(session, address)
        if is_patient_address(address):
            if sender.kind == PATIENT_KIND:
                return patient_to_patient_refusal()
            return patient_refusal(address, box)
        refusal = local_refusal(address, box)
        if refusal is None and sender.kind == PATIENT_KIND:
            refusal = patient_reply_refusal(self.store.thread(session, sender.address, address))
        return refusal

    # --- delivery ---------------------------------------------------------------------------------
    def accept(self, session: str, sender: Mailbox, mail_from: str, outcomes: list[RecipientOutcome], raw: bytes,
               *, envelope_id: str = "", arrival: float | None = None, msg: Any = None,
               summary: Mapping[str, Any] | None = None) -> list[RecipientOutcome]:
        """Deliver to the accepted recipients (those not refused at RCPT); report by DSN the failures of a
        message that was accepted for others, and the requested successes. `msg` and `summary`, when the
        caller has them, spare parsing and analysing `raw` again."""
        msg = msg if msg is not None else parse_message(raw)
        size = len(raw)
        accepted = [o for o in outcomes if o.refusal is None]
        for outcome in accepted:
            outcome.refusal = size_refusal(size, operator_limit=self.options.max_message_bytes,
                                           to_patient=is_patient_address(outcome.recipient))
        to_store = [o for o in accepted if o.refusal is None]
        stamped = self._trace_headers(mail_from, session) + raw
        message_id = str(msg.get("Message-ID", "") or "").strip()
        subject = str(msg.get("Subject", "") or "")
        uids = self.store.deliver(session, [Delivery(o.recipient, stamped, message_id, subject, mail_from)
                                            for o in to_store])
        for outcome, uid in zip(to_store, uids, strict=True):
            outcome.delivered, outcome.uid = True, uid
        if sender.kind != PATIENT_KIND:
            self._record_threads(session, sender, msg, message_id, to_store)
        # A failure DSN only when DATA was answered 250: a 5xx reply has already told the client.
        self._report(session, mail_from, raw, outcomes if to_store else [], envelope_id, arrival, msg)
        if self.options.auto_mdn:
            self._auto_mdn(session, mail_from, raw, msg, to_store, summary)
        return outcomes

    def _trace_headers(self, mail_from: str, session: str) -> bytes:
        now = format_datetime(datetime.now(UTC))
        return (f"Return-Path: <{mail_from}>\r\nReceived: by {self.options.hostname} (socle-bench MSSanté, "
                f"session {session}) with ESMTPSA; {now}\r\n").encode("ascii", "replace")

    def _record_threads(self, session: str, sender: Mailbox, msg: Any, message_id: str,
                        delivered: list[RecipientOutcome]) -> None:
        closed = closes_thread(msg)
        reply_to = [a for _, a in getaddresses([str(v) for v in msg.get_all("Reply-To", [])]) if a]
        for outcome in delivered:
            if not is_patient_address(outcome.recipient):
                continue
            self.store.record_thread(session, outcome.recipient, sender.address, message_id=message_id,
                                     reply_to=reply_to[0] if reply_to else "", closed=closed)
            if reply_to and reply_to[0].lower() != sender.address.lower():
                self.store.record_thread(session, outcome.recipient, reply_to[0], message_id=message_id,
                                         reply_to=reply_to[0], closed=closed)

    def _report(self, session: str, mail_from: str, raw: bytes, outcomes: list[RecipientOutcome],
                envelope_id: str, arrival: float | None, msg: Any) -> None:
        if self.store.mailbox(session, mail_from) is None:
            return
        failed = [o for o in outcomes if o.refusal is not None and "NEVER" not in o.notify]
        receipt = self.options.return_receipt_dsn and msg is not None and bool(msg.get("Return-Receipt-To"))
        succeeded = [o for o in outcomes if o.delivered and ("SUCCESS" in o.notify or (receipt and not o.notify))]
        reports = []
        if failed:
            reports.append(build_dsn(original=raw, outcomes=failed, sender=mail_from,
                                     reporting_mta=self.options.hostname, action="failed",
                                     envelope_id=envelope_id, arrival=arrival))
        if succeeded:
            reports.append(build_dsn(original=raw, outcomes=succeeded, sender=mail_from,
                                     reporting_mta=self.options.hostname, action="delivered",
                                     envelope_id=envelope_id, arrival=arrival))
        if reports:
            self.store.deliver(session, [Delivery(mail_from, r, make_msgid(domain=self.options.hostname),
                                                  "DSN", f"MAILER-DAEMON@{self.options.hostname}") for r in reports])

    def _auto_mdn(self, session: str, mail_from: str, raw: bytes, msg: Any, delivered: list[RecipientOutcome],
                  summary: Mapping[str, Any] | None = None) -> None:
        dnt = [a for _, a in getaddresses([str(v) for v in msg.get_all("Disposition-Notification-To", [])]) if a]
        if not dnt:
            return
        if dnt[0].lower() != mail_from.lower():  # RFC 8098 §2.1: ask the user instead; a PFI cannot
            log.info("MDN not sent: Disposition-Notification-To differs from Return-Path")
            return
        for outcome in delivered:
            box = self.store.mailbox(session, outcome.recipient)
            if box is None or not box.auto_mdn or self.store.mailbox(session, dnt[0]) is None:
                continue
            code = self.integration_error(session, raw, summary)
            mdn = build_mdn(raw, reporter=box.address, error_code=code)
            self.store.deliver(session, [Delivery(dnt[0], mdn, "", "MDN", box.address)])

    def integration_error(self, session: str, raw: bytes, summary: Mapping[str, Any] | None = None) -> str:
        """What the PFI answers (ANS error codes 902/903/905/906), or "" when it integrates; `summary` is
        `analyse_message(raw)` when the caller already has it."""
        summary = summary if summary is not None else analyse_message(raw)
        xdm = summary.get("xdm")
        if not xdm or not xdm.get("readable") or not xdm.get("documents"):
            return "906"
        doc = xdm["documents"][0]
        if doc.get("error"):
            return "906"
        if not doc.get("ins"):
            return "903"
        if not doc.get("ins_qualified"):
            return "905"
        box = self.store.mailbox(session, f"{doc['ins']}@patient.mssante.fr")
        if box is None:
            return "902"
        return ""
