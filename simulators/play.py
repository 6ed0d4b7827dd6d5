"""``socle-bench play <journey>``: a journey played by the reference DUI, narrated in French.

The trainer's demo without a browser: each step of the feature is printed as it runs, then what each
service received because of it (operation, status, the useful bit of the summary) and the verdicts
of the conformance checks on those exchanges. The journey is the shipped feature file, run through
pytest-bdd with the socle-bench plugin, so the demo and the test suite can never disagree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

import features
from conformance.drivers.narrator import Narrator
from features.catalog import JOURNEYS  # the sixteen shipped journeys


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("play", help="play a journey (one of the sixteen: fanny, irene, daniel, louis_domicile...) with the reference DUI, "
                                                "narrated step by step (in French)")
    parser.add_argument("journey", choices=JOURNEYS, help="journey to play")
    parser.add_argument("--bench-url", help="bench already running (e.g. http://127.0.0.1:8080); "
                                            "default: an in-process bench")
    parser.add_argument("--bench-pki", help="PKI directory of that bench (certificates of the reference DUI)")
    parser.add_argument("--session", help="bench session (default: a fresh session)")
    parser.add_argument("--dui", default="reference", help="DUI driver (default: reference; observe for a demo "
                                                           "with a real DUI)")
    parser.set_defaults(func=cmd_play)


def cmd_play(args: argparse.Namespace) -> int:
    return play(args.journey, bench_url=args.bench_url, bench_pki=args.bench_pki, session=args.session, dui=args.dui)


def play(journey: str, *, bench_url: str | None = None, bench_pki: str | None = None, session: str | None = None,
         dui: str = "reference", out: TextIO | None = None) -> int:
    """Run one journey's feature with the narrator; returns pytest's exit code (0 when all passed)."""
    import pytest

    # lazy: the plugin brings pytest and the step library, loaded only when a journey is played
    from conformance.pytest_plugin import plugin_args

    narrator = Narrator(out or sys.stdout)
    args = [str(Path(features.__file__).with_name("journeys.py")), *plugin_args(), "-p", "no:xdist", "-p", "no:cacheprovider", "-o", "addopts=", "-p", "no:terminal",
            "-s", "-m", journey, "--dui", dui, "-W", "ignore::DeprecationWarning",
            "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if bench_url:
        args += ["--bench-url", bench_url]
    if bench_pki:
        args += ["--bench-pki", bench_pki]
    if session:
        args += ["--bench-session", session]
    narrator.title(journey)
    code = pytest.main(args, plugins=[narrator])
    narrator.closing()
    return int(code)


__all__ = ["JOURNEYS", "play", "register"]
