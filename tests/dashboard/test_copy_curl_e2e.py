""""Copier en curl" in the exchange detail, in headless Chromium: the button puts in the clipboard a curl
command that, run as copied, sends the same request again (body piped from the admin API's raw request)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.dashboard.browser import VIEWPORT, screenshot
from tests.dashboard.conftest import start_bench

pytestmark = pytest.mark.timeout(120)
BODY = "RAPPORT D'ÉVALUATION «synthétique» & 'guillemets'"


def test_copy_as_curl_replays_the_request(tmp_path: Path, browser: Any) -> None:
    bench = start_bench(tmp_path)
    try:
        requests.post(f"{bench.url('echo')}/s/curl/echo", data=BODY.encode(), timeout=10,
                      headers={"Content-Type": "text/plain; charset=utf-8", "X-Essai": "valeur à garder"})
        origin = bench.admin_url
        context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            page.goto(origin + "/?session=curl")
            page.wait_for_selector("body[data-ready=true]", timeout=15_000)
            page.wait_for_function("SB.sequence.rows.length === 1", timeout=15_000)
            page.locator("#seq-spacer .row").last.click()
            page.click("[data-testid=copy-curl]")
            page.wait_for_function("document.querySelector('[data-testid=curl-state]').textContent.includes('copiée')",
                                   timeout=5_000)
            copied = page.evaluate("navigator.clipboard.readText()")
            shown = page.text_content("[data-testid=curl-command]")
            screenshot(page, "curl-copie")
        finally:
            context.close()
        assert not errors, errors
        assert copied == shown and copied.startswith(f"curl -s {origin}/_bench/exchanges/")
        assert "-H 'X-Essai: valeur à garder'" in copied and "--data-binary @-" in copied
        assert "/s/curl/echo" in copied and "Host:" not in copied
        run = subprocess.run(["bash", "-c", copied], capture_output=True, text=True, timeout=30, cwd=tmp_path)
        assert run.returncode == 0 and run.stdout == BODY, run.stderr
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            journal = requests.get(f"{origin}/_bench/exchanges", params={"session": "curl", "bodies": "1"},
                                   timeout=10).json()["exchanges"]
            if len(journal) == 2:
                break
            time.sleep(0.1)
        replayed = [requests.get(f"{origin}/_bench/exchanges/{e['id']}/request", timeout=10).content for e in journal]
        assert replayed == [BODY.encode()] * 2
    finally:
        bench.stop()


def test_no_curl_for_an_exchange_curl_cannot_replay(tmp_path: Path) -> None:
    """The detail document carries a command for HTTP only (the button is not drawn otherwise)."""
    from simulators.core.exchange import Exchange
    from simulators.dashboard.blueprint import exchange_curl

    mail = Exchange(session="s", service="mss", operation="send", started_at=0.0, protocol="smtp")
    assert exchange_curl(mail) == ""
