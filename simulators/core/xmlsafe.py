"""Deprecated path, kept for one release: use `simulators.codecs.xmlsafe`."""

from __future__ import annotations

from simulators.codecs.xmlsafe import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, parse_xml, to_bytes  # noqa: F401
