"""Moved to `simulators.psc` (Pro Santé Connect is its own service package); this path is a thin
re-export kept for one release. `create_app` now takes a `simulators.psc.ProSanteConnect`
(built by `simulators.psc.build_psc`)."""

from simulators.psc.codec import OIDC, REALM
from simulators.psc.server import create_app

__all__ = ["OIDC", "REALM", "create_app"]
