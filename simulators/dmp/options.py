"""The `[services.dmp]` options, read once at start-up by the factory (`DmpOptions.from_mapping`).

Keys: world_seed (default: the bench seed), repository_uid, max_results, validate_cda,
require_submission_signature, max_document_bytes, max_parts, error_codes, error_contexts
(errors.json key -> codeContext), valuesets_dir, seed_documents, vihf_clock_skew_s, vihf_max_age_s,
require_vihf_signature, and the access-rule knobs of `AccessOptions` (age_majority, minors_management,
cumul_invisible_patient_masque_ps, authorization_validity_days, break_glass_direct_only,
centre_15_professions, author_sees_own_documents, today).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulators.dmp.rules import AccessOptions

DEFAULT_REPOSITORY_UID = "1.2.250.1.213.4.1.1.1.1"

_SCALARS = ("repository_uid", "max_results", "validate_cda", "require_submission_signature", "error_codes",
            "error_contexts", "max_document_bytes", "max_parts")


@dataclass(frozen=True)
class DmpOptions:
    repository_uid: str = DEFAULT_REPOSITORY_UID
    max_results: int = 1000
    validate_cda: bool = True
    require_submission_signature: bool = True
    max_document_bytes: int = 20_000_000
    max_parts: int = 200
    error_codes: dict[str, str] = field(default_factory=dict)
    error_contexts: dict[str, str] = field(default_factory=dict)  # key -> codeContext replacing the bench's text
    access: AccessOptions = field(default_factory=AccessOptions)
    world_seed: int | None = None  # None: the bench seed
    valuesets_dir: str | None = None
    seed_documents: bool = True
    vihf_clock_skew_s: float = 300.0
    vihf_max_age_s: float = 86400.0
    require_vihf_signature: bool = True

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any] | None) -> DmpOptions:
        options = dict(options or {})
        known = {k: v for k, v in options.items() if k in _SCALARS}
        world_seed = options.get("world_seed")
        return cls(**known, access=AccessOptions.from_options(options),
                   world_seed=int(world_seed) if world_seed is not None else None,
                   valuesets_dir=options.get("valuesets_dir"),
                   seed_documents=bool(options.get("seed_documents", True)),
                   vihf_clock_skew_s=float(options.get("vihf_clock_skew_s", 300)),
                   vihf_max_age_s=float(options.get("vihf_max_age_s", 86400)),
                   require_vihf_signature=bool(options.get("require_vihf_signature", True)))

    #: the older name, kept for one release
    from_options = from_mapping

    def seed(self, bench_seed: int) -> int:
        """The seed of the world the dossiers are drawn from."""
        return self.world_seed if self.world_seed is not None else bench_seed
