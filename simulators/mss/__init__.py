"""MSSanté simulator: an operator's SMTP/IMAP (STARTTLS, PSC tokens, APP certificates), the trust
space, receipts (DSN/MDN), Mon espace santé rules, IHE_XDM codec, and the Annuaire Santé FHIR mock.

Factory for the registry: ``simulators.mss.simulator:MssSimulator``. The package itself imports
nothing, so the conformance checks can use its codecs and rules without the servers (layering rule 3).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MssSimulator"]


def __getattr__(name: str) -> Any:  # lazy: `from simulators.mss import MssSimulator` still works
    if name == "MssSimulator":
        from .simulator import MssSimulator

        return MssSimulator
    raise AttributeError(name)
