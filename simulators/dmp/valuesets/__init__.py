"""DMP value sets and tables shipped as data files, so a vendor can check what the bench accepts
and a site can extend a value set (service option ``valuesets_dir``) without touching code.

Codes are keyed ``code^codingScheme`` because the same code exists in several systems (``10`` is a
profession in TRE_G15 and a class in TRE_A03).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent
CODED_METADATA = ("class_code", "type_code", "confidentiality_code", "content_type_code", "format_code",
                  "healthcare_facility_type_code", "practice_setting_code")


@dataclass(frozen=True)
class ValueSet:
    key: str
    oid: str
    name: str
    codes: dict[str, str]  # "code^scheme" -> display

    def contains(self, code: str, scheme: str) -> bool:
        return f"{code}^{scheme}" in self.codes

    def display(self, code: str, scheme: str) -> str:
        return self.codes.get(f"{code}^{scheme}", code)


@dataclass(frozen=True)
class ValueSets:
    jdv: dict[str, ValueSet]
    vihf: dict[str, Any]
    habilitations: dict[str, Any]
    errors: dict[str, str]
    hl7v3: dict[str, Any]
    never_dmp: dict[str, Any]

    def __getitem__(self, key: str) -> ValueSet:
        return self.jdv[key]

    def is_never_dmp(self, type_code: str, title: str) -> bool:
        """True for documents scenarios.md says a child-protection DUI must not feed to the DMP."""
        if type_code in self.never_dmp.get("type_codes", ()):
            return True
        pattern = self._never_dmp_titles
        return pattern is not None and pattern.search(_fold(title)) is not None

    @cached_property
    def _never_dmp_titles(self) -> re.Pattern[str] | None:
        """Any title keyword as a whole word: one search instead of one per keyword."""
        keywords = self.never_dmp.get("title_keywords", ())
        return re.compile("|".join(rf"\b{re.escape(k)}\b" for k in keywords)) if keywords else None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    return text.lower().replace("’", "'")


def _read(directory: Path, name: str) -> dict[str, Any]:
    path = directory / name
    if not path.exists():
        path = DATA_DIR / name
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def load_valuesets(directory: str | None = None) -> ValueSets:
    """Value sets from `directory` (files present there override the shipped ones)."""
    base = Path(directory) if directory else DATA_DIR
    jdv_raw = _read(base, "jdv.json")
    jdv = {k: ValueSet(k, v["oid"], v["name"], dict(v["codes"])) for k, v in jdv_raw.items() if not k.startswith("_")}
    return ValueSets(jdv=jdv, vihf=_read(base, "vihf.json"), habilitations=_read(base, "habilitations.json"),
                     errors={k: v for k, v in _read(base, "errors.json").items() if not k.startswith("_")},
                     hl7v3=_read(base, "hl7v3.json"), never_dmp=_read(base, "never_dmp.json"))
