"""Deprecated path, kept for one release: use `simulators.psc` (Pro Santé Connect is its own service
package). `create_app` now takes a `simulators.psc.ProSanteConnect`
(built by `simulators.psc.build_psc`)."""

from simulators.psc.codec import OIDC, REALM
from simulators.psc.server import create_app

__all__ = ["OIDC", "REALM", "create_app"]
