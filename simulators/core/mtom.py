"""Deprecated path, kept for one release: use `simulators.codecs.mtom`."""

from __future__ import annotations

from simulators.codecs.mtom import (  # noqa: F401 - re-exported
    DEFAULT_MAX_PART_BYTES,
    DEFAULT_MAX_TOTAL_BYTES,
    XOP_MEDIA_TYPE,
    XOP_NS,
    MtomMessage,
    Part,
    build_mtom,
    cid_from_href,
    cid_to_href,
    parse_mtom,
    resolve_xop,
    split_soap_request,
    xop_include,
)
