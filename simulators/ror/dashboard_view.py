"""The dashboard's ROR view (kind "establishments", see simulators/dashboard/README.md): the session's
establishments (EG Organizations, those typed with a TRE_R66 category) with where they are, their
offers' age ranges and the places available now, for the list and the schematic map.

Built from the session's in-memory index: the list of establishments in one pass over its
Organizations, and each row only when a page shows it, so a 20,000-offer session costs what the page
shows. The admin blueprint keeps one view per index: the store drops the index on every write,
which is exactly when the rows change.
Vendor-loaded resources may have any shape: an unreadable field is left empty, never an error.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from simulators.identities.communes import Commune, all_communes

from simulators.ror import model as m
from simulators.ror.index import SessionIndex
from simulators.ror.params import PARAMS, normal_reference

MAX_OFFERS = 50  # per establishment: generated ones have 1-4, a vendor's may have many
SHORT_CATEGORIES = {"177": "MECS", "500": "EHPAD", "382": "Foyer de vie", "252": "Foyer d'hébergement",
                    "202": "Résidence autonomie"}
_ABBREVIATION = re.compile(r"\(([^()]{2,20})\)\s*$")


def _codings(concepts: Any) -> list[dict[str, Any]]:
    items = concepts if isinstance(concepts, list) else [concepts]
    return [c for item in items if isinstance(item, dict) for c in item.get("coding") or () if isinstance(c, dict)]


def _coding(concepts: Any, tre: str) -> dict[str, Any] | None:
    return next((c for c in _codings(concepts) if tre in str(c.get("system", ""))), None)


def _ref_id(value: Any) -> str:
    reference = value.get("reference") if isinstance(value, dict) else None
    return normal_reference(reference).partition("/")[2] if isinstance(reference, str) else ""


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if float(value).is_integer() else float(value)


def category_of(org: dict[str, Any]) -> dict[str, Any] | None:
    return _coding(org.get("type"), "TRE_R66")


def short_category(coding: dict[str, Any]) -> str:
    """"MECS", "IME", "EHPAD"... as on the contract's list; the full label stays in category_label."""
    code, display = str(coding.get("code", "")), str(coding.get("display", ""))
    if code in SHORT_CATEGORIES:
        return SHORT_CATEGORIES[code]
    found = _ABBREVIATION.search(display)
    return found.group(1) if found else display or code


def place_of(location: dict[str, Any]) -> dict[str, Any]:
    position = raw if isinstance(raw := location.get("position"), dict) else {}
    commune = next((_coding(e.get("valueCodeableConcept"), "TRE_R13") for e in location.get("extension") or ()
                    if isinstance(e, dict) and e.get("url") == m.EXT_COMMUNE), None) or {}
    return {"latitude": _number(position.get("latitude")), "longitude": _number(position.get("longitude")),
            "commune_code": str(commune.get("code", "")), "commune": str(commune.get("display", ""))}


def capacities(location: dict[str, Any] | None) -> tuple[int, int]:
    """(installed, available) summed over the supported-capacity entries (TRE_R330 01 / 02)."""
    installed = available = 0
    for entry in (location or {}).get("extension") or ():
        if not isinstance(entry, dict) or entry.get("url") != m.EXT_SUPPORTED_CAPACITY:
            continue
        subs = {s.get("url"): s for s in entry.get("extension") or () if isinstance(s, dict)}
        count = _number((subs.get("nbCapacity") or {}).get("valueInteger")) or 0
        status = (_coding((subs.get("capacityStatus") or {}).get("valueCodeableConcept"), "TRE_R330") or {}).get("code")
        if status == "01":
            installed += int(count)
        elif status == "02":
            available += int(count)
    return installed, available


def age_range(service: dict[str, Any]) -> tuple[int | float | None, int | float | None]:
    for entry in service.get("extension") or ():
        if isinstance(entry, dict) and entry.get("url") == m.EXT_PATIENT_TYPE:
            for sub in entry.get("extension") or ():
                if isinstance(sub, dict) and sub.get("url") == "ageRange":
                    span = sub.get("valueRange") or {}
                    return _number((span.get("low") or {}).get("value")), _number((span.get("high") or {}).get("value"))
    return None, None


def offer_row(service: dict[str, Any], location: dict[str, Any] | None) -> dict[str, Any]:
    low, high = age_range(service)
    installed, available = capacities(location)
    category = _coding(service.get("category"), "TRE_R244") or {}
    return {"id": str(service.get("id", "")), "name": str(service.get("name", "")),
            "category": str(category.get("display") or category.get("code") or "sans catégorie ROR"),
            "age_min": low, "age_max": high, "active": service.get("active") is not False,
            "places_installed": installed, "places_available": available}


def _finess(org: dict[str, Any]) -> str:
    return next((str(i.get("value", "")) for i in org.get("identifier") or ()
                 if isinstance(i, dict) and i.get("system") == m.FINESS_SYSTEM), "")


@lru_cache(maxsize=1)
def _communes_by_postal_code() -> dict[str, tuple[Commune, ...]]:
    found: dict[str, list[Commune]] = {}
    for town in all_communes():
        found.setdefault(town.postal_code, []).append(town)
    return {code: tuple(towns) for code, towns in found.items()}


def _address_place(org: dict[str, Any]) -> dict[str, Any]:
    """Where an establishment without any Location is: the commune of its address (postal code and
    city), else the département of the postal code; no coordinates are made up."""
    address = next((a for a in org.get("address") or () if isinstance(a, dict)), {})
    postal, city = str(address.get("postalCode", "")), str(address.get("city", ""))
    towns = _communes_by_postal_code().get(postal, ())
    town = next((t for t in towns if t.name.casefold() == city.casefold()), towns[0] if len(towns) == 1 else None)
    if town is not None:
        return {"latitude": None, "longitude": None, "commune_code": town.code, "commune": town.name,
                "department": town.department}
    return {"latitude": None, "longitude": None, "commune_code": "", "commune": city.title(),
            "department": postal[:3] if postal.startswith("97") else postal[:2]}


class EstablishmentView:
    """The establishments of one index: the list is cheap (one pass over the Organizations), a row is
    built when a page first shows it (its offers found through the index's warmed `providedBy`
    referrers), and both are kept as long as the index lives."""

    def __init__(self, index: SessionIndex) -> None:
        self.index = index
        organizations = index.by_type.get("Organization", {})
        self.ids = [rid for rid, org in organizations.items() if category_of(org) is not None]
        self._establishments = frozenset(self.ids)
        self._children: dict[str, list[str]] = {}
        for rid in organizations:
            parent = index.parent_of(rid)
            if parent and rid not in self._establishments:
                self._children.setdefault(parent, []).append(rid)
        self._provided_by = index.referrers("HealthcareService", PARAMS["HealthcareService"]["organization"])
        self._rows: dict[str, dict[str, Any]] = {}

    def page(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return [self.row(rid) for rid in self.ids[offset:offset + limit]]

    def row(self, rid: str) -> dict[str, Any]:
        row = self._rows.get(rid)
        if row is None:
            row = self._build(rid)
            self._rows[rid] = row
        return row

    def _providers(self, rid: str) -> list[str]:
        """The establishment and its internal units (OI, partOf it), not its sub-establishments."""
        found, pending = [rid], list(self._children.get(rid, ()))
        while pending and len(found) < 64:
            child = pending.pop()
            if child not in found:
                found.append(child)
                pending += self._children.get(child, ())
        return found

    def _build(self, rid: str) -> dict[str, Any]:
        index = self.index
        org = index.get("Organization", rid) or {}
        coding = category_of(org) or {}
        service_ids: set[str] = set()
        for provider in self._providers(rid):
            service_ids |= self._provided_by.get(f"Organization/{provider}", set())
        ordered = index.in_order("HealthcareService", service_ids)
        offers, place = [], None
        for sid in ordered[:MAX_OFFERS]:
            service = index.get("HealthcareService", sid) or {}
            locations = service.get("location") or [None]
            location = index.get("Location", _ref_id(locations[0]))
            offers.append(offer_row(service, location))
            if place is None and location is not None:
                place = place_of(location)
        lows = [o["age_min"] for o in offers if o["age_min"] is not None]
        highs = [o["age_max"] for o in offers if o["age_max"] is not None]
        return {"id": rid, "name": str(org.get("name", "")), "finess": _finess(org),
                "category": short_category(coding), "category_code": str(coding.get("code", "")),
                "category_label": str(coding.get("display", "")), **(place or _address_place(org)),
                "age_min": min(lows) if lows else None, "age_max": max(highs) if highs else None,
                "places_available": sum(o["places_available"] for o in offers if o["active"]),
                "places_installed": sum(o["places_installed"] for o in offers),
                "offer_count": len(ordered), "offers": offers}
