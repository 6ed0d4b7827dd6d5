"""Profile "ror": ROR offer searches only, back to back (stress of one service)."""

from __future__ import annotations

from locust import between

from loadtests.users import ror


class RorLoad(ror.RorUser):
    wait_time = between(0.1, 0.5)
