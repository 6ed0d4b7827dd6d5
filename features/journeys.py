"""The shipped journeys as a pytest module (used by ``socle-bench play`` and by vendors' runs).

``pytest features/journeys.py --dui observe`` runs the sixteen features against a DUI; the test
suite of socle-bench runs the same features from tests/features/test_journeys.py.
"""

from __future__ import annotations

from pathlib import Path

from pytest_bdd import scenarios

from features.catalog import JOURNEYS
from features.steps import *  # noqa: F403 - step definitions and the ``parcours`` fixture

HERE = Path(__file__).parent

scenarios(*(str(HERE / f"{name}.feature") for name in JOURNEYS))
