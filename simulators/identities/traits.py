"""Identity-trait normalisation as INSi returns and expects traits (insi.md §2.1 and §4).

INSi speaks uppercase, unaccented A-Z with space, hyphen and apostrophe as the only separators.
The official ANS wording could not be read, so the rules here are the observed behaviour, with the
padoa validator ``^[A-Z]+(?:(?:-{1,2}|[' ])[A-Z]+)*$`` (which keeps the legacy double hyphen) as the
acceptance test. A DUI that sends anything else is flagged by the conformance checks, which reuse
:func:`explain_trait` for their French messages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

TRAIT_PATTERN = re.compile(r"^[A-Z]+(?:(?:-{1,2}|[' ])[A-Z]+)*$")

# Letters that Unicode decomposition does not reduce to A-Z.
_LIGATURES = {
    "Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE", "ß": "SS", "ẞ": "SS",
    "Ø": "O", "ø": "O", "Ł": "L", "ł": "L", "Đ": "D", "đ": "D", "Ð": "D", "ð": "D", "Þ": "TH",
    "þ": "TH", "ı": "I",
}
_APOSTROPHES = "'’‘ʼ`´′ʹ‛"
_HYPHENS = "-‐‑‒–—―−"


def _fold(text: str) -> str:
    """Uppercase A-Z with separators mapped to their ASCII form; other characters become spaces."""
    text = "".join(_LIGATURES.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        if ch in _APOSTROPHES:
            out.append("'")
        elif ch in _HYPHENS:
            out.append("-")
        elif "a" <= ch.lower() <= "z" and ch.isascii():
            out.append(ch.upper())
        else:
            out.append(" ")
    return "".join(out)


def normalise_trait(value: str) -> str:
    """Normalise one name trait: ``"d’Almeida-Roche "`` -> ``"D'ALMEIDA-ROCHE"``.

    Spaces around hyphens and apostrophes are removed, runs of three or more hyphens shrink to the
    legacy ``--``, a run of separators holding an apostrophe to one apostrophe, and separators left
    at either end are dropped.
    """
    text = _fold(value)
    text = re.sub(r"\s*([-'])\s*", r"\1", text)
    text = re.sub(r"-{3,}", "--", text)
    text = re.sub(r"[-']*'[-']*", "'", text)
    text = re.sub(r"\s+", " ", text).strip(" -'")
    return text


def normalise_birth_name(value: str) -> str:
    """Birth name (nom de naissance) in INSi form."""
    return normalise_trait(value)


def normalise_given_names(values: str | Iterable[str]) -> tuple[str, ...]:
    """Birth given names as a list: a string is split on spaces and commas, a list kept in order.

    A compound given name keeps its hyphen (``Pierre-Alain`` -> ``PIERRE-ALAIN``); empty entries go.
    """
    parts = re.split(r"[\s,;]+", values) if isinstance(values, str) else list(values)
    names: list[str] = []
    for part in parts:
        names.extend(token for token in normalise_trait(part).split(" ") if token)
    return tuple(names)


def liste_prenom(values: str | Iterable[str]) -> str:
    """``ListePrenom`` as INSi returns it: all birth given names, space separated."""
    return " ".join(normalise_given_names(values))


def first_given_name(values: str | Iterable[str]) -> str:
    """The legacy "premier prénom": first token of the list ("" when there is none)."""
    names = normalise_given_names(values)
    return names[0] if names else ""


def display_given_name(value: str) -> str:
    """A given name as people write it, from its INS trait: "PIERRE-ALAIN" -> "Pierre-Alain",
    "MARIE ANNE" -> "Marie Anne" ("Pierre-alain" is what ``str.capitalize`` makes of it)."""
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), value)


def is_valid_trait(value: str) -> bool:
    """True when a value is already in INSi form (no normalisation needed)."""
    return bool(TRAIT_PATTERN.match(value))


def explain_trait(value: str, label: str = "trait") -> str | None:
    """Why a trait is not in INSi form, in French; None when it is."""
    if value == "":
        return f"{label} vide"
    if TRAIT_PATTERN.match(value):
        return None
    if value != value.upper():
        return f"{label} {value!r} : majuscules attendues (attendu {normalise_trait(value)!r})"
    bad = sorted({ch for ch in value if not ("A" <= ch <= "Z" or ch in " -'")})
    if bad:
        shown = " ".join(repr(ch) for ch in bad)
        return (
            f"{label} {value!r} : caractères non autorisés {shown} "
            f"(A-Z, espace, tiret et apostrophe seulement ; attendu {normalise_trait(value)!r})"
        )
    return f"{label} {value!r} : séparateurs mal placés (attendu {normalise_trait(value)!r})"


def explain_sex(value: str) -> str | None:
    """INS sex is ``M`` or ``F`` only; an empty value is what INSi rejects with ``insi_24``."""
    return None if value in ("M", "F") else f"sexe {value!r} : M ou F attendu"


_LUNAR_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def explain_birth_date(value: str) -> str | None:
    """Lunar birth date ``YYYY-MM-DD`` where ``00`` month/day are allowed (DateLunaire)."""
    match = _LUNAR_DATE.match(value)
    if not match:
        return f"date de naissance {value!r} : format AAAA-MM-JJ attendu"
    month, day = int(match.group(2)), int(match.group(3))
    if month > 12 or day > 31 or (month == 0 and day != 0):
        return f"date de naissance {value!r} : mois ou jour impossible"
    return None
