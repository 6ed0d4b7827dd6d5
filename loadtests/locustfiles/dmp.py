"""Profile "dmp": DMP feed, search and retrieve only, back to back (stress of one service)."""

from __future__ import annotations

from locust import between

from loadtests.users import dmp


class DmpLoad(dmp.DmpUser):
    wait_time = between(0.1, 0.5)
