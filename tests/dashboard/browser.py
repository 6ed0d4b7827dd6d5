"""Headless Chromium for the dashboard's end-to-end tests: Debian's `chromium` package driven by
Python Playwright (`pip install playwright`; never `playwright install`, which downloads a browser).

`launch_browser()` skips the calling test with the reason when either piece is missing, so the
suite stays green on a machine without a browser and says exactly what to install.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1280, "height": 720}  # the projector the dashboard is designed for
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"


def chromium_path() -> str | None:
    explicit = os.environ.get("SOCLE_BENCH_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def skip_reason() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Python Playwright absent (pip install playwright ; ne pas lancer `playwright install`)"
    if chromium_path() is None:
        return "Chromium absent (apt-get install -y chromium), ou SOCLE_BENCH_CHROMIUM ne pointe vers aucun fichier"
    return None


@contextmanager
def launch_browser() -> Iterator[Any]:
    """A Playwright Browser on the system Chromium; skips the test when it cannot exist here."""
    reason = skip_reason()
    if reason is not None:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(browser: Any) -> Iterator[Any]:
    """A 1280x720 French page that fails the test on any JavaScript error."""
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"erreurs JavaScript : {errors}"


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
