"""The DMP tab in headless Chromium with the real DMP simulator (not the fake provider): Élise's seeded
dossier is listed, and "voir en tant que" hides the consultation marked INVISIBLE_REPRESENTANTS_LEGAUX
from her mother while the patient sees it. Skipped with the reason when no browser is installed
(see tests/dashboard/browser.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulators.dmp.simulator import DmpSimulator
from tests.dashboard.browser import open_page, screenshot
from tests.dashboard.conftest import start_bench
from tests.dashboard.test_e2e import wait_ready, wait_text

pytestmark = pytest.mark.timeout(120)


def test_dmp_tab_hides_the_secret_consultation_from_the_mother(tmp_path: Path, browser: Any) -> None:
    bench = start_bench(tmp_path, DmpSimulator())
    try:
        with open_page(browser) as page:
            wait_ready(page, bench.admin_url + "/?session=vue-dmp")
            page.click("#tab-dmp")
            wait_text(page, "#view-body", "Voir en tant que")
            page.locator("#view-body button.item", has_text="Élise").click()
            wait_text(page, "#view-body", "Bilan orthophonique")  # the first reader offered is the patient
            assert page.locator("#dmp-viewer").input_value() == "patient"
            wait_text(page, "#view-body .note", "6 document(s) visible(s) sur 7")
            wait_text(page, "#view-body", "Consultation confidentielle")
            assert "Résultat avant annonce" not in page.locator("#view-body table.data:not(.matrix)").inner_text()  # INVISIBLE_PATIENT
            page.select_option("#dmp-viewer", "rl:MTH")
            wait_text(page, "#view-body .note", "5 document(s) visible(s) sur 7")  # patient: 6 sur 7
            shown = page.locator("#view-body table.data:not(.matrix)").inner_text()
            assert "Bilan orthophonique" in shown and "Consultation confidentielle" not in shown
            screenshot(page, "12-dmp-elise-vue-mere")
    finally:
        bench.stop()
