"""Profile "mss": MSSanté send (SMTP) and fetch (IMAP) only, back to back (stress of one service)."""

from __future__ import annotations

from locust import between

from loadtests.users import mss


class MssLoad(mss.MssUser):
    wait_time = between(0.1, 0.5)
