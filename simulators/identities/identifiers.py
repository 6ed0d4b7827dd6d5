"""French health-directory identifiers: FINESS, RPPS, ADELI, SIREN/SIRET and the prefixed national ids.

Check digits:
- RPPS: 11 digits, the last a Luhn key over all 11 (the usual published description).
- FINESS: 9 characters, department first (``2A``/``2B`` for Corsica), the last a Luhn key over the
  whole number. Real FINESS numbers such as ``060016219`` and ``590064036`` pass it. For Corsica the
  letter is read as ``0`` before the Luhn sum; that convention is **UNCONFIRMED** (no Corsican
  FINESS could be checked), so the bench only generates it, it never rejects on it.
- ADELI: 9 digits; the key rule is not public, so only the format is validated. Generated ADELI
  numbers carry a Luhn key anyway, so they look plausible to strict readers.
- SIREN/SIRET: Luhn, via python-stdnum.

National ids (dmp.md §4.4, mss.md idNat): a PS id (``PS_IdNat``, OID 1.2.250.1.71.4.2.1) is a
TRE_G08 prefix + the id (``8`` + RPPS, ``0`` + ADELI, ``3`` + FINESS/local, ``5`` + SIRET/local);
a structure id (``Struct_IdNat``, OID 1.2.250.1.71.4.2.2) is a TRE_G07 prefix + the id (``1`` +
FINESS, ``2`` + SIREN, ``3`` + SIRET, ``4`` + RPPS-rang, ``0`` + cabinet ADELI).
"""

from __future__ import annotations

import random
import re

from stdnum import luhn
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

OID_IDNPS = "1.2.250.1.71.4.2.1"
OID_IDNST = "1.2.250.1.71.4.2.2"

PS_PREFIX = {"ADELI": "0", "CABINET_ADELI": "1", "FINESS": "3", "SIREN": "4", "SIRET": "5",
             "CABINET_RPPS": "6", "RPPS": "8"}
STRUCT_PREFIX = {"CABINET_ADELI": "0", "FINESS": "1", "SIREN": "2", "SIRET": "3", "RPPS_RANG": "4"}

_FINESS = re.compile(r"^(?:\d{2}|2[AB])\d{7}$")


def luhn_digit(digits: str) -> str:
    """Luhn check digit to append to ``digits``."""
    return luhn.calc_check_digit(digits)


def luhn_ok(digits: str) -> bool:
    return digits.isdigit() and luhn.is_valid(digits)


def _finess_digits(value: str) -> str:
    return value[:2].replace("A", "0").replace("B", "0") + value[2:]


def finess_with_key(body8: str) -> str:
    """Append the Luhn key to an 8-character FINESS body (department first)."""
    return body8 + luhn_digit(_finess_digits(body8))


def explain_finess(value: str) -> str | None:
    """Why a FINESS number is invalid (French), None when valid."""
    if len(value) != 9:
        return f"FINESS {value!r} : 9 caractères attendus, {len(value)} reçus"
    if not _FINESS.match(value):
        return f"FINESS {value!r} : département (2 chiffres, 2A ou 2B) puis 7 chiffres attendus"
    if not value.startswith("2A") and not value.startswith("2B") and not luhn_ok(value):
        return f"FINESS {value!r} : clé de Luhn incorrecte (attendue {finess_with_key(value[:8])[-1]})"
    return None


def is_valid_finess(value: str) -> bool:
    return explain_finess(value) is None


def rpps_with_key(body10: str) -> str:
    return body10 + luhn_digit(body10)


def explain_rpps(value: str) -> str | None:
    if not re.fullmatch(r"\d{11}", value):
        return f"RPPS {value!r} : 11 chiffres attendus"
    if not luhn_ok(value):
        return f"RPPS {value!r} : clé de Luhn incorrecte (attendue {luhn_digit(value[:10])})"
    return None


def is_valid_rpps(value: str) -> bool:
    return explain_rpps(value) is None


def explain_adeli(value: str) -> str | None:
    return None if re.fullmatch(r"\d{9}", value) else f"ADELI {value!r} : 9 chiffres attendus"


def is_valid_adeli(value: str) -> bool:
    return explain_adeli(value) is None


def is_valid_siret(value: str) -> bool:
    return bool(stdnum_siret.is_valid(value))


def is_valid_siren(value: str) -> bool:
    return bool(stdnum_siren.is_valid(value))


def idnps(kind: str, value: str) -> str:
    """PS national id: ``idnps("RPPS", "10101234566")`` -> ``"810101234566"``."""
    return PS_PREFIX[kind] + value


def idnst(kind: str, value: str) -> str:
    """Structure national id: ``idnst("FINESS", "930000000")`` -> ``"1930000000"``."""
    return STRUCT_PREFIX[kind] + value


def parse_idnps(value: str) -> tuple[str, str]:
    """(kind, id) of a PS national id; raises ValueError for an unknown prefix."""
    for kind, prefix in PS_PREFIX.items():
        if value.startswith(prefix) and len(value) > 1:
            return kind, value[1:]
    raise ValueError(f"identifiant national PS au préfixe inconnu : {value!r}")


def parse_idnst(value: str) -> tuple[str, str]:
    for kind, prefix in STRUCT_PREFIX.items():
        if value.startswith(prefix) and len(value) > 1:
            return kind, value[1:]
    raise ValueError(f"identifiant national de structure au préfixe inconnu : {value!r}")


# --- seeded generation -------------------------------------------------------------------------


def random_finess(rng: random.Random, department: str) -> str:
    """A FINESS number of a department (``93``, ``2A``, ``971`` -> ``97`` + next digit)."""
    dept = department[:2]
    middle = department[2] if len(department) == 3 else str(rng.randrange(10))
    body = dept + middle + f"{rng.randrange(10**5):05d}"
    return finess_with_key(body)


def random_rpps(rng: random.Random) -> str:
    """11-digit RPPS in the ``10`` range used by real numbers, Luhn keyed."""
    return rpps_with_key("10" + f"{rng.randrange(10**8):08d}")


def random_adeli(rng: random.Random, department: str, profession_code: str = "93") -> str:
    """ADELI: department (Corsica letters read as 0), 2-digit profession, 4-digit rank, Luhn key."""
    dept = department[:2].replace("A", "0").replace("B", "0")
    body = dept + profession_code[:2] + f"{rng.randrange(10**4):04d}"
    return body + luhn_digit(body)


def random_siren(rng: random.Random) -> str:
    body = str(rng.randrange(1, 10)) + f"{rng.randrange(10**7):07d}"
    return body + luhn_digit(body)


def random_siret(rng: random.Random, siren: str | None = None) -> str:
    """SIRET (SIREN + 4-digit NIC + Luhn key over the 14 digits)."""
    base = (siren or random_siren(rng)) + f"{rng.randrange(1, 10**4):04d}"
    return base + luhn_digit(base)
