"""Deprecated path, kept for one release: use `simulators.mss.codec.mdn`."""

from simulators.mss.codec.mdn import (
    DISPOSITION_RE,
    INTEGRATION_ERRORS,
    KO_PREFIX,
    MdnReport,
    build_mdn,
    decoded_subject,
    is_mdn,
    parse_mdn,
)

__all__ = [
    "DISPOSITION_RE", "INTEGRATION_ERRORS", "KO_PREFIX", "MdnReport", "build_mdn",
    "decoded_subject", "is_mdn", "parse_mdn",
]
