"""The tour: what the journeys do not show, played with the services' reference clients against a running bench.

Each step runs in its own session ``ex-<label>`` so the recorder knows which sample an exchange belongs to
without guessing; a step that cannot run (service absent, client changed) is reported as missing, never
raised, so ``python -m simulators.examples`` records what exists and says what does not.
"""

from __future__ import annotations

import time
from typing import Any

import requests

from simulators.examples.tour import dmp, fhir, ins, mail
from simulators.examples.tour.base import SESSION_PREFIX, Step, Tour

# the order matters: a step shows what earlier steps did not (the recorder leaves repeats out)
STEPS: tuple[Step, ...] = ins.STEPS + dmp.STEPS + mail.PSC_STEPS + mail.MSS_STEPS + fhir.ANNUAIRE_STEPS + fhir.ROR_STEPS


def play(admin: str, pki_dir: str, *, seed: int = 20261122, log: Any = None,
         transcripts: dict[str, str] | None = None) -> dict[str, str]:
    """Run every step; returns {label: "" when it ran, else why it did not}; client transcripts go to
    `transcripts` ({name: text})."""
    services = {e["service"]: e["url"] for e in requests.get(f"{admin}/_bench/services", timeout=30).json()}
    outcome: dict[str, str] = {}
    for step in STEPS:
        tour = Tour(admin, pki_dir, seed, services, SESSION_PREFIX + step.label,
                    transcripts if transcripts is not None else {})
        started = time.monotonic()
        try:
            step.run(tour)
            outcome[step.label] = ""
            if log is not None:
                print(f"tour: {step.label} {time.monotonic() - started:.1f} s", file=log)
        except Exception as exc:  # noqa: BLE001 - a step that cannot run is reported, the others still run
            outcome[step.label] = f"{type(exc).__name__}: {exc}"[:300]
            if log is not None:
                print(f"tour: {step.label} did not run: {outcome[step.label]}", file=log)
    return outcome


__all__ = ["SESSION_PREFIX", "STEPS", "Step", "Tour", "play"]
