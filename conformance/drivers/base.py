"""The one small interface every DUI driver implements: the socle actions of the journeys.

A step of a feature never talks to a service itself: it asks the driver to act as the DUI would
("qualify Fanny's INS", "send this to the CRIP by MSS") and then verifies, on the simulators, what
must be observable. Three drivers implement it: the reference DUI (the services' reference clients),
the observe driver (a human or an external automation acts, the driver waits for the exchanges) and
a vendor's own driver loaded with ``--dui package.module:Driver``.

Actions take records of the world (``simulators.identities``): who acts (``Professional``), about
whom (``Person``), towards whom (``Professional`` / ``Establishment`` / ``Person`` for Mon espace
santé). They return small records of what the DUI did; the steps then check the bench, not only
these records, so a driver cannot pass a step by saying it did something.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulators.core.errors import BenchError
from simulators.identities.model import Address, Establishment, Person, Professional
from simulators.identities.world import World

Recipient = Professional | Establishment | Person


class DriverError(BenchError):
    """The driver could not perform an action (its message, in French, is shown in the step)."""


class ActionNotSupported(DriverError):
    """This driver does not implement the action; the step is skipped with the reason."""


class DuiRefused(DriverError):
    """The DUI refused the action on purpose (e.g. feeding an educational document to the DMP)."""


@dataclass(frozen=True)
class ClientCredentials:
    """Files a DUI authenticates with on the bench (paths in the bench PKI), None without TLS."""

    trust_bundle: str  # CA bundle to verify the simulators (``verify=`` for requests)
    org_cert: tuple[str, str] | None = None  # organisation AUTH_CLI (DMP, ROR): (cert, key)
    insi_cert: tuple[str, str] | None = None  # INSI-AUTO: (cert, key)
    sign_cert: tuple[str, str] | None = None  # organisation SIGN (VIHF, XAdES): (cert, key)
    pki_dir: str = ""  # the bench PKI itself, when reachable: per-structure DMP certificates are issued there


@dataclass(frozen=True)
class BenchTarget:
    """Everything a driver needs to reach the bench for one test session."""

    admin_url: str  # e.g. http://127.0.0.1:8080 (no trailing slash)
    session: str
    services: dict[str, str]  # endpoint name -> URL as listed by /_bench/services
    world: World
    credentials: ClientCredentials | None = None
    timeout_s: float = 120.0  # how long the observe driver waits for a human

    def service_url(self, name: str) -> str:
        """Base URL of a service endpoint, without the session prefix."""
        try:
            return self.services[name].rstrip("/")
        except KeyError:
            raise DriverError(f"service {name!r} absent du banc (services : {', '.join(sorted(self.services))})") from None

    def session_url(self, name: str, path: str = "") -> str:
        """``scheme://host:port/s/<session><path>``: HTTP services select the session by URL prefix."""
        scheme, _, rest = self.service_url(name).partition("://")
        host = rest.partition("/")[0]
        return f"{scheme}://{host}/s/{self.session}{path}"

    def has(self, name: str) -> bool:
        return name in self.services


@dataclass(frozen=True)
class IdentityResult:
    """The identity as the DUI holds it after the INSi lookup and the document check."""

    status: str  # PROV | RECUP | VALI | QUAL
    ins: str = ""  # matricule (NIR 15 characters)
    oid: str = ""
    birth_name: str = ""
    given_names: str = ""  # ListePrenom
    sex: str = ""
    birth_date: str = ""
    birth_place: str = ""
    cr: str = ""  # INSi compte rendu of the last call
    warnings: tuple[str, ...] = ()

    @property
    def qualified(self) -> bool:
        return self.status == "QUAL"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Document:
    """A document the DUI produces. ``kind`` is a key of ``documents.DOCUMENT_KINDS``."""

    kind: str
    title: str
    content: bytes
    mime_type: str = "application/pdf"
    confidentiality: tuple[str, ...] = ()  # e.g. ("INVISIBLE_REPRESENTANTS_LEGAUX",)

    def as_attachment(self) -> Attachment:
        extension = {"application/pdf": "pdf", "text/plain": "txt", "image/jpeg": "jpg",
                     "text/calendar": "ics"}.get(self.mime_type, "bin")
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.title)[:60]
        return Attachment(f"{stem}.{extension}", self.mime_type, self.content)


@dataclass(frozen=True)
class OutgoingMessage:
    recipients: tuple[Recipient, ...]
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()
    patient: Person | None = None  # the person the message is about
    xdm: bool = False  # join an IHE_XDM.zip (CDA documents) — not for photos from a mobile
    documents: tuple[Document, ...] = ()  # documents the DUI attaches (as PDF or in the XDM)
    sender_box: str = ""  # an organisational (ORG) box the actor sends from; "" = the actor's own box


@dataclass(frozen=True)
class SendResult:
    message_id: str = ""
    accepted: tuple[str, ...] = ()  # addresses the MSS operator accepted
    refused: dict[str, str] = field(default_factory=dict)  # address -> reply
    outside_mss: tuple[str, ...] = ()  # recipients the DUI reached by ordinary e-mail, off the bench


@dataclass(frozen=True)
class ReceivedMessage:
    sender: str
    subject: str
    message_id: str
    attachments: tuple[str, ...] = ()  # file names
    body: str = ""
    mailbox: str = ""  # the box it was read from


@dataclass(frozen=True)
class DmpEntry:
    """A document the DUI saw in the DMP (a document entry, with or without its content)."""

    unique_id: str
    type_code: str  # e.g. 83901-9
    title: str = ""
    confidentiality: tuple[str, ...] = ()
    author: str = ""


@dataclass(frozen=True)
class RecordResult:
    """What the DUI did with a document it produced: kept it, fed the DMP, or both."""

    fed_dmp: bool
    unique_id: str = ""
    reason: str = ""  # French: why not fed


@dataclass(frozen=True)
class RorQuery:
    """An orientation search: a category of establishment (TRE_R66) and/or an offer type (TRE_R244,
    e.g. 24 "unité de vie protégée", 61 CAMSP), around an address, for an age, with free places."""

    near: Address
    radius_km: float
    age: int | None
    category_code: str = "177"  # TRE_R66: MECS
    available_only: bool = True
    offer_type: str = ""  # TRE_R244 offer (special unit) the establishment must provide
    label: str = ""  # French, as the trainer says it: "un EHPAD avec une unité de vie protégée"


@dataclass(frozen=True)
class RorCandidate:
    name: str
    finess: str = ""
    places_available: int | None = None
    distance_km: float | None = None
    mss_address: str = ""


class DuiDriver:
    """Base class: every action raises ``ActionNotSupported`` until a driver implements it.

    Lifecycle: ``open(target)`` once per test session before the first action, ``close()`` at the
    end. A driver keeps its own DUI state (e.g. which identities it has qualified).
    """

    name = "dui"
    description = "DUI"

    def open(self, target: BenchTarget) -> None:
        self.target = target

    def close(self) -> None:
        return None

    def _unsupported(self, action: str) -> ActionNotSupported:
        return ActionNotSupported(f"le pilote {self.name} ne sait pas {action}")

    # --- INSi -----------------------------------------------------------------------------------
    def qualify_ins(self, actor: Professional, person: Person) -> IdentityResult:
        """INSi traits lookup, then the identity document check: status QUAL when all agree."""
        raise self._unsupported("qualifier une INS")

    # --- Annuaire santé / MSSanté -----------------------------------------------------------------
    def find_mailbox(self, actor: Professional, target: Establishment | Professional) -> str:
        """The MSSanté address of a structure or a professional, searched in the Annuaire santé."""
        raise self._unsupported("rechercher une adresse dans l'Annuaire santé")

    def send_message(self, actor: Professional, message: OutgoingMessage) -> SendResult:
        """Send as the actor; the DUI picks the channel (MSS, or ordinary e-mail off the bench)."""
        raise self._unsupported("envoyer un message")

    def read_mailbox(self, actor: Professional, mailbox: str) -> list[ReceivedMessage]:
        raise self._unsupported("lire une boîte aux lettres MSSanté")

    def reply_message(self, actor: Professional, original: ReceivedMessage, body: str,
                      documents: tuple[Document, ...] = ()) -> SendResult:
        """Answer a received message in its thread (In-Reply-To), to its sender, from the box it was read in."""
        raise self._unsupported("répondre à un message MSSanté")

    def forward_message(self, actor: Professional, original: ReceivedMessage, recipients: tuple[Recipient, ...],
                        note: str = "") -> SendResult:
        """Forward a received message with its attachments unchanged (an IHE_XDM.zip keeps its INS)."""
        raise self._unsupported("transférer un message MSSanté")

    # --- DMP ------------------------------------------------------------------------------------
    def consult_dmp(self, actor: Professional, person: Person) -> list[DmpEntry]:
        raise self._unsupported("consulter le DMP")

    def feed_dmp(self, actor: Professional, person: Person, document: Document) -> RecordResult:
        """Explicit request to feed the DMP; a good DUI refuses (DuiRefused) what must never go there."""
        raise self._unsupported("alimenter le DMP")

    def produce_document(self, actor: Professional, person: Person, document: Document) -> RecordResult:
        """The DUI records a document in the person's file and applies its own DMP feeding rules."""
        raise self._unsupported("produire un document")

    # --- ROR ------------------------------------------------------------------------------------
    def search_ror(self, actor: Professional, query: RorQuery) -> list[RorCandidate]:
        raise self._unsupported("rechercher dans le ROR")

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description}
