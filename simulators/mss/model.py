"""Domain records of the MSSanté operator: mailboxes, stored messages, delivery outcomes.

Mailboxes carry what both the operator (authentication, delivery) and the Annuaire Santé mock
(FHIR `telecom` with the `as-mailbox-mss` metadata) need, so the directory is fed from the very
registry the operator delivers to (mss.md §7 "Feed the same data to the directory mock").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAILBOX_KINDS = ("PER", "ORG", "APP", "CAB")
PATIENT_KIND = "PAT"  # Mon espace santé box of a person (not a TRE_R257 type: never published)


@dataclass(frozen=True)
class Mailbox:
    address: str
    kind: str  # PER | ORG | APP | CAB | PAT
    display_name: str
    owner_id: str = ""  # world id of the professional, establishment or person
    rpps: str = ""
    idnps: str = ""  # 8+RPPS
    idnst: str = ""  # structure national id
    finess: str = ""
    establishment_id: str = ""
    organisation_name: str = ""
    service: str = ""
    description: str = ""
    liste_rouge: bool = False
    digitization: bool = True
    cert_cn: str = ""  # APP boxes: CN of the organisation certificate allowed to open them
    cert_sha256: str = ""  # APP boxes: fingerprint of that very certificate (the CN alone names no one)
    minor: bool = False  # PAT boxes: the person is under 18
    auto_mdn: bool = False  # APP box of an integration platform that answers with the ANS MDN
    active: bool = True
    profession_code: str = ""
    profession_label: str = ""
    first_name: str = ""
    last_name: str = ""
    civility: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mailbox:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class StoredMessage:
    session: str
    address: str
    folder: str
    uid: int
    flags: tuple[str, ...]
    internal_date: float
    size: int
    message_id: str = ""
    subject: str = ""
    sender: str = ""
    raw: bytes | None = None  # None when not loaded

    def to_json(self, *, body: bool = False) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "raw"}
        data["flags"] = list(self.flags)
        if body and self.raw is not None:
            data["raw"] = self.raw.decode("utf-8", "replace")
        return data


@dataclass(frozen=True)
class Refusal:
    """Why one recipient (or the whole message) is refused: an SMTP reply and a DSN status."""

    code: int  # 550, 552, 553, 554, 452...
    status: str  # enhanced status code for the DSN, e.g. "5.7.1"
    text: str  # French, shown in the SMTP reply and the DSN

    @property
    def reply(self) -> str:
        return f"{self.code} {self.status} {self.text}"

    @property
    def permanent(self) -> bool:
        return self.code >= 500


@dataclass
class RecipientOutcome:
    recipient: str
    delivered: bool
    refusal: Refusal | None = None
    uid: int = 0
    notify: tuple[str, ...] = ()  # RFC 3461 NOTIFY values requested for this recipient
    orcpt: str = ""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"recipient": self.recipient, "delivered": self.delivered}
        if self.refusal is not None:
            data.update(code=self.refusal.code, status=self.refusal.status, text=self.refusal.text)
        if self.notify:
            data["notify"] = list(self.notify)
        return data


@dataclass
class Thread:
    """A patient conversation opened by a professional (Mon espace santé rules, mss.md §4)."""

    session: str
    patient_address: str
    professional_address: str
    reply_to: str = ""
    closed: bool = False
    message_ids: list[str] = field(default_factory=list)
