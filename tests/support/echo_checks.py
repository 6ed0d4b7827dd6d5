"""Demonstration check set for the test-only echo service: one check per outcome.

Load it with ``socle-bench check --checks tests.support.echo_checks:registry``. Its requirements
(``echo@``) live in ``echo_requirements.csv`` next to this file and travel with the registry, so
the shipped catalogue stays free of test-only entries.

With one POST /echo of a long lower-case text: echo@1 passes, echo@2 fails, echo@3 is a warning
(failed RECOMMANDATION), echo@4 is skipped (no 503 was observed) and echo@5 is an error (the check
reads a summary field the echo service never records: a bench bug, by design).
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Sequence

from conformance.checks import LIVE, SESSION, Check, expect, expect_true, skip
from conformance.registry import CheckRegistry
from conformance.requirements import load_catalogue
from simulators.core.exchange import Exchange

MAX_LENGTH = 20


def body_echoed(exchange: Exchange) -> str:
    expect(exchange.response_body, exchange.request_body, "corps de la réponse")
    return f"{len(exchange.response_body)} octets renvoyés à l'identique"


def text_uppercase(exchange: Exchange) -> None:
    text = exchange.summary.get("text", "")
    expect(text, text.upper(), "texte en majuscules")


def text_short(exchange: Exchange) -> None:
    length = int(exchange.summary.get("length", 0))
    expect_true(length <= MAX_LENGTH, f"attendu au plus {MAX_LENGTH} octets, obtenu {length} octets")


def status_rechecked_after_503(exchanges: Sequence[Exchange]) -> str:
    statuses = [e for e in exchanges if e.operation == "status"]
    unavailable = [e for e in statuses if e.status == 503]
    if not unavailable:
        skip("aucune réponse 503 observée : vérification sans objet")
    later = [e for e in statuses if e.started_at > unavailable[0].started_at]
    expect_true(bool(later), "attendu une nouvelle interrogation de l'état après le 503, obtenu aucune",
                exchanges=unavailable[:1])
    return f"état interrogé de nouveau {len(later)} fois"


def checksum_recorded(exchange: Exchange) -> None:
    expect(exchange.summary["checksum"], "présent", "somme de contrôle")


def checks() -> list[Check]:
    return [
        Check("echo.body-echoed", "echo", LIVE, ("echo@1",), body_echoed, "Corps renvoyé", ("echo",)),
        Check("echo.text-uppercase", "echo", LIVE, ("echo@2",), text_uppercase, "Texte en majuscules", ("echo",)),
        Check("echo.text-short", "echo", LIVE, ("echo@3",), text_short, "Texte court", ("echo",)),
        Check("echo.status-rechecked", "echo", SESSION, ("echo@4",), status_rechecked_after_503,
              "Nouvelle interrogation après 503"),
        Check("echo.checksum-recorded", "echo", LIVE, ("echo@5",), checksum_recorded, "Somme de contrôle",
              ("echo",)),
    ]


def registry() -> CheckRegistry:
    return CheckRegistry(checks(), requirements=load_catalogue(Path(__file__).with_name("echo_requirements.csv")))
