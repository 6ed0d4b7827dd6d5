"""The sixteen journeys (scenarios.md, scenarios-pa-ph.md), run with the DUI chosen by ``--dui`` (reference by default)."""

from __future__ import annotations

from pathlib import Path

from pytest_bdd import scenarios

import features
from features.catalog import JOURNEYS

FEATURES = Path(features.__file__).parent

scenarios(*(str(FEATURES / f"{name}.feature") for name in JOURNEYS))
