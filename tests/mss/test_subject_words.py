"""The reference mail client keeps the spaces of a long non-ASCII subject (RFC 2047 folding)."""

from __future__ import annotations

import email
import email.policy

import pytest

from simulators.mss.client import compose, wire_bytes


@pytest.mark.parametrize("subject", [
    "Réponse à la demande d'admission - Élise d’Almeida-Roche",
    "Formulaire de recueil d'information préoccupante - Élise d’Almeida-Roche",
    "Compte rendu de passage aux urgences, ordonnance de soins infirmiers, arrêt de travail - Marc Ginaud",
])
def test_subject_words_are_not_glued(subject: str) -> None:
    raw = wire_bytes(compose("a@b.mssante.test", "A", ["c@d.mssante.test"], subject, "x"))
    assert str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"]) == subject
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
