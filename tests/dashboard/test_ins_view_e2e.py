"""The INSi tab in headless Chromium with the real INSi simulator (not the fake provider): Elliot is
listed, and once the reference client retrieved him his status reads "récupérée (INSi)".
Skipped with the reason when no browser is installed (see tests/dashboard/browser.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulators.ins.client import InsiClient
from simulators.ins.server import InsSimulator
from tests.dashboard.browser import open_page, screenshot
from tests.dashboard.conftest import start_bench
from tests.dashboard.test_e2e import wait_ready, wait_text

pytestmark = pytest.mark.timeout(120)


def test_ins_tab_shows_elliot_retrieved(tmp_path: Path, browser: Any) -> None:
    bench = start_bench(tmp_path, InsSimulator())
    try:
        lps = bench.url("ins").rpartition("/lps")[0] + "/s/vue-ins/lps"
        assert InsiClient(lps).search_traits("DUMONTIER", "ELLIOT NATHAN", "M", "2012-06-03").status == "RECUP"
        with open_page(browser) as page:
            wait_ready(page, bench.admin_url + "/?session=vue-ins")
            page.click("#tab-ins")
            wait_text(page, "#view-body", "DUMONTIER")
            row = page.locator("#view-body tr", has_text="ELLIOT NATHAN")
            assert "DUMONTIER" in row.inner_text() and "récupérée (INSi)" in row.inner_text()
            assert "provisoire" in page.locator("#view-body tr", has_text="FANNY LEA").inner_text()  # not looked up
            screenshot(page, "11-insi-elliot-recupere")
    finally:
        bench.stop()
