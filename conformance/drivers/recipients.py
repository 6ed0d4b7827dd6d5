"""How a DUI addresses the people and structures of the world: MSSanté when they have a box.

The judge has no MSSanté box (the judiciary is outside the trust space): a good DUI reaches him by
ordinary e-mail, which never touches the bench. A person is written to at their Mon espace santé
address, which a DUI may only build from a qualified INS (checked by the caller).
"""

from __future__ import annotations

from simulators.identities.model import Establishment, Person, Professional

from conformance.drivers.base import Recipient


def mss_address_of(record: Recipient) -> str:
    """The MSSanté address of a record, "" when it has none."""
    if isinstance(record, Professional):
        return record.mss_address
    if isinstance(record, Establishment):
        return record.mss_org_address
    if isinstance(record, Person):
        return record.mes_address
    raise TypeError(f"destinataire inattendu : {record!r}")


def ordinary_address_of(record: Recipient) -> str:
    return getattr(record, "email", "") or ""


def who(record: Recipient) -> str:
    """French label for instructions and messages: "Mme Nadia Ouali (évaluatrice de la CRIP)"."""
    if isinstance(record, Professional):
        civility = {"MME": "Mme", "M": "M.", "DR": "Dr"}.get(record.civility, record.civility)
        return f"{civility} {record.first_name} {record.last_name} ({record.role})"
    if isinstance(record, Establishment):
        return record.name
    if isinstance(record, Person):
        return f"{record.display_first_name} {record.display_last_name}"
    return str(record)


def de(name: str) -> str:
    """French elision: "de Fanny", "d'Élise", "d'Elliot"."""
    return f"d'{name}" if name[:1].lower() in "aeiouyéèêàâîïôûh" else f"de {name}"


def born(person: Person) -> str:
    return f"{'née' if person.sex == 'F' else 'né'} le {person.birth_date}"
