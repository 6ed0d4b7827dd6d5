"""NIR / NIA matricules: layout, mod-97 key (with the Corsica rule), generation and validation.

The key rule is the one of the INS referential (insi.md §3): key = 97 - (N mod 97) where, for a
Corsican birthplace, ``2A`` is read as ``19`` and ``2B`` as ``18``. python-stdnum implements the same
rule (``stdnum.fr.nir``); it is used as a cross-check in the tests, but the bench keeps its own code
because it must also *explain* failures in French for conformance reports and must accept the
"lunar" month values of people whose birth month is unknown.

A NIA has exactly the NIR shape; only the OID (``.9``) tells it apart, so nothing here tries to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: 13-character matricule: sex, year, month, place (dept+commune, 2A/2B, 97x/98x, 99+country), order.
_NIR13 = re.compile(r"^[1-478]\d{4}(?:\d{2}|2[AB])\d{6}$")
#: Month values: 01-12, or 20-42 / 50-99 for people whose birth month is unknown (INSEE practice).
_VALID_MONTH = re.compile(r"^(?:0[1-9]|1[0-2]|2\d|3\d|4[0-2]|[5-9]\d)$")

SEX_DIGITS = {"M": "1", "F": "2"}
UNKNOWN_MONTH = 20  # month value used when the birth month is unknown ("00" in a lunar date)


@dataclass(frozen=True)
class NirParts:
    """The fields of a 13-character matricule, as strings (kept textual because of 2A/2B)."""

    sex: str
    year: str
    month: str
    department: str
    commune: str
    order: str

    @property
    def place(self) -> str:
        """Birthplace code as written in the NIR (5 chars: dept + commune, or 99 + country)."""
        return self.department + self.commune

    @property
    def born_abroad(self) -> bool:
        return self.department == "99"


def _numeric(nir13: str) -> int:
    """Value of the 13 characters with the Corsica substitution (2A -> 19, 2B -> 18)."""
    dept = nir13[5:7]
    if dept == "2A":
        nir13 = nir13[:5] + "19" + nir13[7:]
    elif dept == "2B":
        nir13 = nir13[:5] + "18" + nir13[7:]
    return int(nir13)


def nir_key(nir13: str) -> str:
    """Two-digit key of a 13-character NIR/NIA (``'2A'``/``'2B'`` accepted in positions 6-7)."""
    nir13 = nir13.strip().upper()
    if not _NIR13.match(nir13):
        raise ValueError(f"matricule NIR mal formé : {nir13!r}")
    return f"{97 - _numeric(nir13) % 97:02d}"


def split_nir(nir13: str) -> NirParts:
    """Split a 13-character matricule into its fields (no key check)."""
    nir13 = nir13[:13]
    return NirParts(nir13[0], nir13[1:3], nir13[3:5], nir13[5:7], nir13[7:10], nir13[10:13])


def place_code_for_nir(birth_place: str) -> tuple[str, str]:
    """Department part and commune part of a COG birthplace as the NIR writes them.

    Overseas communes (``97xxx``) keep 3 digits of department and 2 of commune, which is the same
    5 characters; born-abroad codes ``99ccc`` carry the country in the commune part.
    """
    if len(birth_place) != 5:
        raise ValueError(f"code lieu de naissance sur 5 caractères attendu : {birth_place!r}")
    return birth_place[:2].upper(), birth_place[2:].upper()


def generate_nir(sex: str, birth_date: str, birth_place: str, order: int) -> str:
    """Build a 13-character matricule from INS traits.

    ``birth_date`` is ``YYYY-MM-DD`` and may hold ``00`` parts (lunar date); an unknown month is
    written ``20`` in the NIR. ``order`` is the 1..999 rank among births of that place and month.
    """
    sex_digit = SEX_DIGITS.get(sex.upper())
    if sex_digit is None:
        raise ValueError(f"sexe M ou F attendu : {sex!r}")
    if not 1 <= order <= 999:
        raise ValueError(f"numéro d'ordre 001..999 attendu : {order}")
    year, month = birth_date[2:4], int(birth_date[5:7])
    month_part = f"{month:02d}" if month else f"{UNKNOWN_MONTH:02d}"
    dept, commune = place_code_for_nir(birth_place)
    nir13 = f"{sex_digit}{year}{month_part}{dept}{commune}{order:03d}"
    if not _NIR13.match(nir13):
        raise ValueError(f"matricule NIR impossible à construire : {nir13!r}")
    return nir13


def with_key(nir13: str) -> str:
    """The full 15-character INS matricule (13 + key)."""
    return nir13 + nir_key(nir13)


def explain_nir(nir: str) -> str | None:
    """Why a 15-character NIR/NIA is invalid, in French for conformance reports; None when valid."""
    value = nir.strip().upper().replace(" ", "")
    if len(value) != 15:
        return f"longueur incorrecte : 15 caractères attendus (13 + clé), {len(value)} reçus"
    body, key = value[:13], value[13:]
    if not _NIR13.match(body):
        return (
            "format incorrect : sexe (1 chiffre), année, mois, lieu (2 chiffres, 2A ou 2B), "
            "commune et ordre attendus"
        )
    if not key.isdigit():
        return f"clé non numérique : {key!r}"
    if not _VALID_MONTH.match(body[3:5]):
        return f"mois de naissance impossible dans le NIR : {body[3:5]}"
    expected = nir_key(body)
    if expected != key:
        return f"clé incorrecte : attendue {expected}, reçue {key}"
    return None


def is_valid_nir(nir: str) -> bool:
    """True when a 15-character NIR/NIA has a well-formed body and the right key."""
    return explain_nir(nir) is None
