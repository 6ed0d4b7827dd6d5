"""MSSanté simulator: an operator's SMTP/IMAP (STARTTLS, PSC tokens, APP certificates), the trust
space, receipts (DSN/MDN), Mon espace santé rules and the IHE_XDM codec; it mounts the Annuaire
Santé (`simulators.annuaire`) and Pro Santé Connect (`simulators.psc`) it feeds.

Rooms: `codec/` (MIME analysis, XDM, DSN, MDN; `cda.py` and `xdm_metadata.py` at the top for now),
`server/` (SMTP, IMAP and their helpers, authentication, delivery), `store.py`, `rules.py`,
`model.py`, `seed.py`, `client.py` (reference client), `admin.py` + `dashboard_view.py` (admin API),
`options.py` and `factory.py` (`SERVICE`). The other top-level modules are deprecated re-exports.

The package itself imports nothing, so the conformance checks can use its codecs and rules without
the servers (layering rule 3).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MssSimulator"]


def __getattr__(name: str) -> Any:  # `from simulators.mss import MssSimulator` still works
    if name == "MssSimulator":
        # local import on purpose: the servers' heavy optional dependencies (aiosmtpd, pymap) load only
        # when the factory is asked for, never for a user of the codecs or rules (lazy on purpose)
        from .simulator import MssSimulator

        return MssSimulator
    raise AttributeError(name)
