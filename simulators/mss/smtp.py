"""Deprecated path, kept for one release: use `simulators.mss.server.smtp`."""

from simulators.mss.server.smtp import (
    BEARER_MECHANISMS,
    CALL_LIMITS,
    FAULT_REPLIES,
    MssSmtpHandler,
    smtp_factory,
    smtp_lifecycle,
)

__all__ = [
    "BEARER_MECHANISMS", "CALL_LIMITS", "FAULT_REPLIES", "MssSmtpHandler", "smtp_factory",
    "smtp_lifecycle",
]
