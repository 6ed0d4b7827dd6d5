"""Business rules of the operator: trust space (liste blanche), size limits, Mon espace santé.

Each rule answers with a `Refusal` (SMTP reply + DSN status, French text) or None, so the SMTP
adapter only translates; the same functions are unit-tested without sockets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from collections.abc import Iterable

from simulators.codecs.xmlsafe import parse_xml
from simulators.identities.ins import PATIENT_MSS_DOMAIN
from simulators.identities.nir import explain_nir

from .model import PATIENT_KIND, Mailbox, Refusal, Thread

LISTE_BLANCHE_NS = "https://listeblanche.mssante.fr/schema"
MES_LIMIT_BYTES = 25 * 1024 * 1024  # ENS MES v1.3 §6 (mss.md §3.4)
DEFAULT_OPERATOR_LIMIT_BYTES = 20 * 1024 * 1024
PATIENT_LOCAL_RE = re.compile(r"^[0-9][0-9AB][0-9]{13}$")
ADDRESS_RE = re.compile(r"^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")

NOT_IN_TRUST_SPACE = "5.7.1"
UNKNOWN_USER = "5.1.1"
BAD_ADDRESS = "5.1.3"
TOO_BIG = "5.3.4"


@dataclass(frozen=True)
class TrustSpace:
    """Domains allowed to exchange (mock liste blanche, mss.md §1)."""

    domains: frozenset[str]

    def allows(self, domain: str) -> bool:
        return domain.lower().rstrip(".") in self.domains

    def to_xml(self) -> bytes:
        names = "".join(f"<Domaine><Nom>{d}</Nom></Domaine>" for d in sorted(self.domains))
        return (f'<?xml version="1.0" encoding="UTF-8"?><ListeBlanche xmlns="{LISTE_BLANCHE_NS}">'
                f"{names}</ListeBlanche>").encode()

    @classmethod
    def from_xml(cls, data: bytes) -> TrustSpace:
        root = parse_xml(data)
        names = root.xpath("//*[local-name()='Domaine']/*[local-name()='Nom']/text()")
        return cls(frozenset(str(n).strip().lower() for n in names if str(n).strip()))

    @classmethod
    def of(cls, domains: Iterable[str]) -> TrustSpace:
        return cls(frozenset(d.lower() for d in domains))


def address_refusal(address: str) -> Refusal | None:
    if not ADDRESS_RE.match(address or ""):
        return Refusal(553, BAD_ADDRESS, f"Adresse invalide : {address[:80]!r}")
    return None


def trust_space_refusal(address: str, trust: TrustSpace) -> Refusal | None:
    domain = address.rpartition("@")[2]
    if not trust.allows(domain):
        return Refusal(550, NOT_IN_TRUST_SPACE,
                       f"Domaine {domain} hors de l'espace de confiance MSSanté : message refusé")
    return None


def is_patient_address(address: str) -> bool:
    return address.lower().endswith("@" + PATIENT_MSS_DOMAIN)


def patient_refusal(address: str, box: Mailbox | None) -> Refusal | None:
    """Mon espace santé accepts only the INS address of a known person with an open box."""
    local = address.rpartition("@")[0]
    if not PATIENT_LOCAL_RE.match(local) or explain_nir(local) is not None:
        return Refusal(550, BAD_ADDRESS, "Message non distribué : adresse invalide (INS attendu)")
    if box is None or box.kind != PATIENT_KIND:
        return Refusal(550, UNKNOWN_USER, "Message non distribué : patient non trouvé")
    if not box.active:
        return Refusal(550, "5.2.1", "Message non distribué : messagerie fermée")
    return None


def local_refusal(address: str, box: Mailbox | None) -> Refusal | None:
    if box is None:
        return Refusal(550, UNKNOWN_USER, f"Boîte aux lettres inconnue : {address}")
    if not box.active:
        return Refusal(550, "5.2.1", f"Boîte aux lettres désactivée : {address}")
    return None


def size_refusal(size: int, *, operator_limit: int, to_patient: bool) -> Refusal | None:
    if to_patient and size > MES_LIMIT_BYTES:
        return Refusal(552, TOO_BIG, "Undelivered Mail Returned to Sender : le message dépasse la taille "
                                     "limite totale de 25 Mo de Mon espace santé")
    if size > operator_limit:
        return Refusal(552, TOO_BIG, f"Message trop volumineux : {size} octets pour une limite de "
                                     f"{operator_limit} octets chez l'opérateur")
    return None


def closes_thread(message: Message) -> bool:
    """`X-MSS-MES: FIN` (preferred, ENS v1.3) or a subject made only of `[FIN]` (MES FAQ)."""
    header = str(message.get("X-MSS-MES", "") or "").strip().upper()
    subject = str(message.get("Subject", "") or "").strip()
    return header == "FIN" or subject == "[FIN]"


def patient_reply_refusal(thread: Thread | None) -> Refusal | None:
    """A patient writes only inside a conversation a professional opened and did not close."""
    if thread is None:
        return Refusal(550, NOT_IN_TRUST_SPACE, "Un patient ne peut pas écrire à un professionnel qui ne "
                                                "l'a pas contacté au préalable")
    if thread.closed:
        return Refusal(550, NOT_IN_TRUST_SPACE, "Le professionnel a clos cet échange ([FIN]) : réponse refusée")
    return None


def patient_to_patient_refusal() -> Refusal:
    return Refusal(550, NOT_IN_TRUST_SPACE, "Un patient ne peut pas écrire à un autre patient")
