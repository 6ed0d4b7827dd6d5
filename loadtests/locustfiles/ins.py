"""Profile "ins": INSi lookups and verifications only, back to back (stress of one service)."""

from __future__ import annotations

from locust import between

from loadtests.users import ins


class InsLoad(ins.InsUser):
    wait_time = between(0.1, 0.5)
