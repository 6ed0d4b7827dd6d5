"""Deprecated path, kept for one release: use `simulators.mss.codec.xdm`."""

from simulators.mss.codec.xdm import (
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    XdmDocument,
    XdmError,
    XdmPackage,
    XdmProblem,
    XdmSubset,
    build_xdm,
    cda_documents,
    check_xdm,
    parse_xdm,
    read_members,
    safe_member_name,
)
from simulators.mss.xdm_metadata import DocumentEntry, SubmissionSet

__all__ = [
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "DocumentEntry",
    "SubmissionSet",
    "XdmDocument",
    "XdmError",
    "XdmPackage",
    "XdmProblem",
    "XdmSubset",
    "build_xdm",
    "cda_documents",
    "check_xdm",
    "parse_xdm",
    "read_members",
    "safe_member_name",
]
