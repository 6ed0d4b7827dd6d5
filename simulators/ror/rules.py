"""Access profiles 0-5 (ror.md §1.3): what each editor may see.

Confidentiality is carried per element (`ror-*-confidentiality-level`, TRE_R283 1/2/3); an offer
marked `ror-healthcareservice-sensitive-unit` is wholly "très restreint" and disappears for profiles
without that level. Profile 3 sees restricted data of médico-social offers only, profile 4 loses
contacts and personal data, profile 5 loses capacities. Filtering returns copies: the indexed
resources are shared between requests and never modified.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.ror import model as m
from simulators.ror.params import codings, extensions

MEDICO_SOCIAL_SECTORS = {"SA16", "SA17", "SA20"}
CAPACITY_PARAMS = {"nb-capacity", "capacity-type", "capacity-status", "temporality-capacity",
                   "gender-capacity-available", "capacity-closing-type", "additional-bed-type", "crisis-type",
                   "temporary-assignement", "capacity-update-date", "residential-type", "residential-number"}
PERSONAL_FIELDS = ("name", "telecom", "address", "gender", "birthDate", "photo")


def max_level(profile: int, medico_social: bool) -> int:
    if profile in (1, 4):
        return 3
    if profile in (2, 5):
        return 2
    if profile == 3:
        return 2 if medico_social else 1
    return 1


def is_sensitive(resource: dict[str, Any]) -> bool:
    return resource.get("resourceType") == "HealthcareService" and any(
        e.get("valueBoolean") is True for e in extensions(resource, m.EXT_SENSITIVE))


def _nothing_hidden(_resource: dict[str, Any]) -> bool:
    return False


def visibility_class(profile: int) -> str:
    """Profiles that see the same resources share one cached visibility set."""
    return "all" if profile in (1, 4) else "no-sensitive"


def hidden_predicate(profile: int) -> Callable[[dict[str, Any]], bool]:
    """Resources a profile never receives, in search results nor by read."""
    return _nothing_hidden if visibility_class(profile) == "all" else is_sensitive


def forbidden_criteria(profile: int, names: list[str]) -> list[str]:
    """Criteria a profile may not search on (profile 5 has no capacity data)."""
    return [n for n in names if profile == 5 and n in CAPACITY_PARAMS]


def is_medico_social(resource: dict[str, Any]) -> bool:
    rtype = resource.get("resourceType")
    if rtype == "HealthcareService":
        return any(c == ("https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite", "04")
                   for t in resource.get("type") or () for c in codings(t))
    return any(system == m.SECTOR and code in MEDICO_SOCIAL_SECTORS
               for t in resource.get("type") or () for system, code in codings(t))


def _level(node: dict[str, Any], url: str) -> int:
    for e in extensions(node, url):
        for _, code in codings(e.get("valueCodeableConcept")):
            if code.isdigit():
                return int(code)
    return 1


def _telecoms(items: Any, limit: int) -> list[Any]:
    return [t for t in items or () if isinstance(t, dict) and _level(t, m.EXT_TELECOM_CONFIDENTIALITY) <= limit]


def _filtered_extensions(extensions_: list[Any], limit: int, drop_contacts: bool) -> list[Any]:
    kept = []
    for e in extensions_:
        if e.get("url") != m.EXT_CONTACT:
            kept.append(e)
        elif not drop_contacts and _level(e, m.EXT_CONFIDENTIALITY) <= limit:
            subs = [s for s in e.get("extension") or ()
                    if s.get("url") != m.ext("ror-healthcareservice-contact-telecom")
                    or _level(s, m.EXT_TELECOM_CONFIDENTIALITY) <= limit]
            kept.append(e if len(subs) == len(e.get("extension") or ()) else {**e, "extension": subs})
    return kept


def _filtered_contacts(contacts: list[Any], limit: int) -> list[Any]:
    return [{**contact, "telecom": _telecoms(contact["telecom"], limit)} if "telecom" in contact else contact
            for contact in contacts
            if isinstance(contact, dict) and _level(contact, m.EXT_CONTACT_CONFIDENTIALITY) <= limit]


def present(resource: dict[str, Any], profile: int, *, medico_social: bool | None = None) -> dict[str, Any]:
    """The resource as this profile receives it. Copy-on-write: only the containers that change are
    new objects, the rest is shared with the indexed resource (which is never modified)."""
    if profile == 1:
        return resource
    rtype = resource.get("resourceType")
    limit = max_level(profile, is_medico_social(resource) if medico_social is None else medico_social)
    out = dict(resource)
    drop_contacts = profile == 4
    if drop_contacts:
        out.pop("telecom", None)
        out.pop("contact", None)
        if rtype == "Practitioner":
            for name in PERSONAL_FIELDS:
                out.pop(name, None)
    else:
        if isinstance(out.get("telecom"), list):
            out["telecom"] = _telecoms(out["telecom"], limit)
        if isinstance(out.get("contact"), list):
            out["contact"] = _filtered_contacts(out["contact"], limit)
    if isinstance(out.get("extension"), list):
        out["extension"] = _filtered_extensions(out["extension"], limit, drop_contacts)
        if profile == 5 and rtype == "Location":
            out["extension"] = [e for e in out["extension"]
                                if e.get("url") not in (m.EXT_SUPPORTED_CAPACITY, m.EXT_RESIDENTIAL_CAPACITY)]
    for key in ("extension", "telecom", "contact"):
        if key in out and not out[key]:
            del out[key]
    return out
