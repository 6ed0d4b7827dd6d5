"""Test locustfile: locust's HTTP user on the echo service, plus an SMTP/IMAP user when a mail
server is given (SOCLE_TEST_SMTP=host:port, SOCLE_TEST_IMAP=host:port)."""

from __future__ import annotations

import os

from locust import constant, task

from loadtests.users.base import BenchHttpUser
from loadtests.users.mail import MailServer, MailUser


class EchoUser(BenchHttpUser):
    service = "echo"
    wait_time = constant(0.05)

    @task(3)
    def echo(self) -> None:
        self.client.post("/echo", data=b"bonjour", name="echo")

    @task(1)
    def status(self) -> None:
        code = int(os.environ.get("SOCLE_TEST_STATUS", "200"))
        self.client.get(f"/status/{code}", name="status")


def _server(variable: str) -> MailServer | None:
    value = os.environ.get(variable)
    if not value:
        return None
    host, _, port = value.rpartition(":")
    return MailServer(host, int(port))


if os.environ.get("SOCLE_TEST_SMTP"):
    class TestMailUser(MailUser):
        wait_time = constant(0.05)
        weight = 2

        @task
        def send_then_fetch(self) -> None:
            smtp = _server("SOCLE_TEST_SMTP")
            self.send("envoi", smtp, "emetteur@test.mssante.fr", ["destinataire@test.mssante.fr"],
                      b"Subject: test\r\n\r\nbonjour\r\n")
            imap = _server("SOCLE_TEST_IMAP")
            if imap is not None:
                self.fetch("releve", imap, os.environ.get("SOCLE_TEST_IMAP_USER", "demouser"),
                           os.environ.get("SOCLE_TEST_IMAP_PASSWORD", "demopass"))
