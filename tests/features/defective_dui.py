"""A vendor's plug-in driver with seeded defects (``--dui tests.features.defective_dui:DefectiveDui``).

It is the reference DUI with three classic mistakes, so the features must fail exactly where a
trainer would point: the traits are sent to INSi upper-cased but not normalised (Élise's accent and
curly apostrophe reach INSi), the report meant for the judge goes through MSSanté, and every
document the DUI produces is pushed to the DMP (educational reports included). Each defect is also a
driver of its own, for a test that wants exactly one.
"""

from __future__ import annotations

import smtplib

from simulators.identities.model import Person, Professional

from conformance.drivers.base import (
    Document, DriverError, IdentityResult, OutgoingMessage, RecordResult, SendResult,
)
from conformance.drivers.reference import ReferenceDui


class UnnormalisedTraitsDui(ReferenceDui):
    name = "traits-non-normalises"

    def qualify_ins(self, actor: Professional, person: Person) -> IdentityResult:
        from simulators.ins.client_codec import InsiServiceFault
        from simulators.ins.model import TraitsQuery

        client = self.part("ins").client
        # defect: upper case only — accents, curly apostrophes and ligatures go to INSi as typed
        query = TraitsQuery(person.display_last_name.upper(), (person.display_first_name.split(" ")[0].upper(),),
                            person.sex, person.birth_date, "")
        try:
            response, _ = client.send(query)
        except InsiServiceFault as exc:
            raise DriverError(f"faute INSi : {exc}") from exc
        status = "QUAL" if response.cr == "00" and response.ins is not None else person.identity_status
        result = IdentityResult(status=status, ins=response.ins.value if response.ins else "", cr=response.cr,
                                oid=response.ins.oid if response.ins else "")
        self.identities[person.id] = result
        return result


class MssToJudgeDui(ReferenceDui):
    name = "mss-vers-le-juge"

    def send_message(self, actor: Professional, message: OutgoingMessage) -> SendResult:
        outside = [r for r in message.recipients if isinstance(r, Professional) and not r.mss_address and r.email]
        if not outside:
            return super().send_message(actor, message)
        from simulators.mss.client import compose

        mss = self.part("mss")  # defect: the judge's ordinary address, through the MSSanté operator
        msg = compose(actor.mss_address, actor.role, [r.email for r in outside], message.subject, message.body)
        try:
            refused = mss.client.send(msg, actor.mss_address, mss.token(actor.mss_address))
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        return SendResult(message_id=str(msg["Message-ID"]), refused={a: str(v) for a, v in refused.items()})


class FeedsEverythingDui(ReferenceDui):
    name = "tout-au-dmp"

    def produce_document(self, actor: Professional, person: Person, document: Document) -> RecordResult:
        identity = self.qualified(person)  # defect: every document goes to the DMP, educational ones too
        return RecordResult(fed_dmp=True, unique_id=self.part("dmp").feed(actor, person, identity, document))


class DefectiveDui(UnnormalisedTraitsDui, MssToJudgeDui, FeedsEverythingDui):
    """The three defects at once."""

    name = "defectueux"
    description = "DUI d'exemple avec défauts volontaires"
