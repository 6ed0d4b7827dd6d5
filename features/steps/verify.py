"""Verifications on the bench: what the simulators hold and received, with French failure messages.

Every function raises ``AssertionError`` with a message a vendor can act on ("attendu …, obtenu …")
and never trusts what the driver reported without looking at the bench.
"""

from __future__ import annotations

import email
import email.policy
from email.header import decode_header, make_header
from typing import Any

from simulators.core.exchange import Exchange
from simulators.identities.mssante import JUDICIARY_DOMAIN, ORDINARY_MAIL_DOMAIN
from simulators.identities.model import Person

from conformance.drivers.documents import DocumentKind
from conformance.drivers.judge import blocking_lines, judge
from features.steps.cast import fold
from features.steps.context import Parcours

OUTSIDE_DOMAINS = (JUDICIARY_DOMAIN, ORDINARY_MAIL_DOMAIN)


def decoded(text: str) -> str:
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # noqa: BLE001 - a broken header is shown as is
        return text


def message_in_mailbox(ctx: Parcours, address: str, kind: DocumentKind, *, attachment: bool) -> dict[str, Any]:
    """The message about ``kind`` in the box, sent during this scenario, with its attachment."""
    messages = ctx.probe.mailbox_messages(address)
    if messages is None:
        raise AssertionError(f"la boîte MSSanté {address} n'existe pas sur le banc")
    sent_ids = {s.result.message_id.strip("<>") for s in ctx.sent if s.result.message_id}
    label = fold(kind.label)
    candidates = [m for m in messages if m.get("message_id", "").strip("<>") in sent_ids
                  or label in fold(decoded(m.get("subject", "")))]
    if not candidates:
        subjects = ", ".join(f"« {decoded(m.get('subject', ''))} »" for m in messages[-5:]) or "aucun message"
        raise AssertionError(f"attendu dans la boîte {address} un message « {kind.label} », obtenu : {subjects}")
    message = candidates[-1]
    if attachment:
        raw = ctx.probe.mailbox_message_raw(address, int(message["uid"]))
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        names = [p.get_filename() for p in parsed.walk() if p.get_filename()]
        if not names:
            raise AssertionError(f"attendu une pièce jointe dans le message « {decoded(message.get('subject', ''))} » "
                                 f"reçu par {address}, obtenu aucune")
        message["attachments"] = names
    return message


def send_exchanges(ctx: Parcours) -> list[Exchange]:
    return [e for e in ctx.exchanges("mss") if e.operation == "send"]


def delivered(exchange: Exchange) -> set[str]:
    return {str(r.get("recipient", "")).lower() for r in exchange.summary.get("recipients") or [] if r.get("delivered")}


def outside_attempts(ctx: Parcours) -> list[str]:
    """"adresse (réponse de l'opérateur)" for every MSS recipient outside the trust space in the scenario."""
    attempts = []
    for exchange in send_exchanges(ctx):
        for r in exchange.summary.get("recipients") or []:
            address = str(r.get("recipient", ""))
            if address.rpartition("@")[2].lower() in OUTSIDE_DOMAINS:
                reply = f"{r.get('code', '')} {r.get('status', '')} {r.get('text', '')}".strip()
                attempts.append(f"{address} ({'distribué' if r.get('delivered') else 'refusé : ' + reply})")
    return attempts


def insi_lookups(ctx: Parcours, person: Person) -> list[Exchange]:
    return [e for e in ctx.exchanges("ins") if (e.summary.get("traits") or {}).get("date") == person.birth_date]


def assert_normalised_traits(ctx: Parcours, person: Person) -> None:
    lookups = insi_lookups(ctx, person)
    if not lookups:
        raise AssertionError(f"attendu une recherche INSi par traits pour {person.display_first_name}, obtenu aucune")
    traits = lookups[0].summary["traits"]
    expected = (person.birth_name, person.given_names[0])
    got = (traits.get("nom"), (traits.get("prenoms") or [""])[0])
    if got != expected:
        raise AssertionError(f"traits envoyés à INSi non normalisés : attendu nom {expected[0]!r} et prénom "
                             f"{expected[1]!r}, obtenu nom {got[0]!r} et prénom {got[1]!r}")


def assert_conformant(ctx: Parcours, services: tuple[str, ...], label: str) -> None:
    exchanges = ctx.exchanges(*services)
    if not exchanges:
        raise AssertionError(f"aucun échange avec le service {label} dans ce scénario : rien à juger")
    # Context, not judged: what happened earlier in the session (an INS qualified for parcours@3 and
    # socle@1/2, a DMP authorisation given in an earlier scenario for dmp@15, receipts asked before...).
    ids = {x.id for x in exchanges}
    context_services = set(services) | ({"ins"} if "dmp" in services or "mss" in services else set())
    context = [e for service in sorted(context_services) for e in ctx.probe.exchanges(service=service, bodies=True)
               if e.id not in ids]
    report = judge(context + exchanges, session=ctx.target.session, services=list(services),
                   source=ctx.target.admin_url)
    lines = blocking_lines(report, within={e.id for e in exchanges})
    if lines:
        raise AssertionError(f"échanges {label} non conformes ({len(lines)} exigence(s)) :\n  - "
                             + "\n  - ".join(lines))
