"""MSSanté simulator: an operator's SMTP/IMAP (STARTTLS, PSC tokens, APP certificates), the trust
space, receipts (DSN/MDN), Mon espace santé rules, IHE_XDM codec, and the Annuaire Santé FHIR mock.

Factory for the registry: ``simulators.mss:MssSimulator``.
"""

from .simulator import MssSimulator

__all__ = ["MssSimulator"]
