"""Deprecated path, kept for one release: use `simulators.mss.codec.xdm`."""

from simulators.mss.codec.xdm import (  # noqa: F401
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

__all__ = ['MAX_MEMBERS', 'MAX_RATIO', 'MAX_TOTAL_BYTES', 'XdmDocument', 'XdmError', 'XdmPackage', 'XdmProblem', 'XdmSubset', 'build_xdm', 'cda_documents', 'check_xdm', 'parse_xdm', 'read_members', 'safe_member_name']
