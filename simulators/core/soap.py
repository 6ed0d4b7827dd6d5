"""Deprecated path, kept for one release: use `simulators.codecs.soap`."""

from __future__ import annotations

from simulators.codecs.soap import *  # noqa: F403 - the whole public surface, re-exported
from simulators.codecs.soap import __all__  # noqa: F401
