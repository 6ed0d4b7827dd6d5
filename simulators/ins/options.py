"""The `[services.ins]` options, read once at start-up and validated with French messages.

Their meaning is documented in simulators/ins/server.py (module docstring); the factory (factory.py)
parses them once with `InsOptions.from_mapping`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from collections.abc import Mapping
from typing import Any

from simulators.core.errors import BenchError
from simulators.identities.ins import OID_INS_NIR, OID_INS_NIR_TEST

from simulators.ins.codec import RESPONSE_STYLES
from simulators.ins.faults import FAULT_STYLES
from simulators.ins.rules import PRENOM_RULES


ENVIRONMENTS = ("qualification", "production")


class OptionsError(BenchError, ValueError):
    """An option of [services.ins] is invalid; the message names it."""


@dataclass(frozen=True)
class InsOptions:
    returned_oid: str = OID_INS_NIR
    persona_oid: str = OID_INS_NIR_TEST
    prenom_match: str = "first"
    idam_allowlist: tuple[str, ...] = ()
    include_prenom: bool = False
    fault_style: str = "2026"
    response_style: str = "2026"
    world_seed: int | None = None
    persons: tuple[dict, ...] = ()
    exclude: tuple[str, ...] = ()
    require_vitale_assertion: bool = False
    assertion_max_age_s: float = 3600.0
    vitale_assertion_max_age_s: float = 1200.0
    clock_skew_s: float = 120.0
    cache_ttl_s: float = 2.0
    environment: str = "qualification"
    bulk_per_minute: int = 30
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> InsOptions:
        data = dict(data or {})
        known = {f.name for f in fields(cls)} - {"extra"}
        kwargs: dict[str, Any] = {}
        for key in list(data):
            if key in known:
                kwargs[key] = data.pop(key)
        for key in ("idam_allowlist", "persons", "exclude"):
            if key in kwargs:
                value = kwargs[key]
                if isinstance(value, str) or not isinstance(value, (list, tuple)):
                    raise OptionsError(f"services.ins.{key} : liste attendue")
                kwargs[key] = tuple(value)
        options = cls(**kwargs, extra=data)
        options.validate()
        return options

    def validate(self) -> None:
        if self.prenom_match not in PRENOM_RULES:
            raise OptionsError(f"services.ins.prenom_match : {' | '.join(PRENOM_RULES)} attendu, "
                               f"obtenu {self.prenom_match!r}")
        if self.fault_style not in FAULT_STYLES:
            raise OptionsError(f"services.ins.fault_style : {' | '.join(FAULT_STYLES)} attendu")
        if self.response_style not in RESPONSE_STYLES:
            raise OptionsError(f"services.ins.response_style : {' | '.join(RESPONSE_STYLES)} attendu")
        if self.environment not in ENVIRONMENTS:
            raise OptionsError(f"services.ins.environment : {' | '.join(ENVIRONMENTS)} attendu")
        for name in ("returned_oid", "persona_oid"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.replace(".", "").isdigit():
                raise OptionsError(f"services.ins.{name} : OID attendu, obtenu {value!r}")
        if int(self.bulk_per_minute) < 1:
            raise OptionsError("services.ins.bulk_per_minute : entier positif attendu")
        for name in ("assertion_max_age_s", "vitale_assertion_max_age_s", "clock_skew_s", "cache_ttl_s"):
            if float(getattr(self, name)) < 0:
                raise OptionsError(f"services.ins.{name} : valeur positive attendue")
