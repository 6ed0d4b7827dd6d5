"""The three journeys of scenarios.md, run with the DUI chosen by ``--dui`` (reference by default)."""

from __future__ import annotations

from pathlib import Path

from pytest_bdd import scenarios

import features

FEATURES = Path(features.__file__).parent

scenarios(str(FEATURES / "fanny.feature"), str(FEATURES / "elliot.feature"), str(FEATURES / "elise.feature"))
