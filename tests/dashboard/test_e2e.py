"""End to end in headless Chromium (Debian's package, driven by Playwright) at 1280x720.

Screenshots go to test-artifacts/dashboard/. Skipped with the reason when no browser is installed
(see tests/dashboard/browser.py).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from simulators.core.exchange import Exchange, Verdict
from tests.dashboard.browser import ARTIFACTS, open_page, screenshot
from tests.dashboard.conftest import start_bench
from simulators.dashboard import FeedSettings
from tests.dashboard.providers import FakeJourneys, FakeServices

pytestmark = pytest.mark.timeout(120)


def wait_ready(page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    page.wait_for_function("document.getElementById('live-state').dataset.state === 'live'", timeout=15_000)
    return time.perf_counter() - started


def wait_text(page, selector: str, text: str) -> None:
    page.wait_for_function("([s, t]) => document.querySelector(s).innerText.includes(t)", arg=[selector, text],
                           timeout=60_000)


def row_count(page) -> int:
    return page.evaluate("SB.sequence.rows.length")


def test_arrows_appear_live_and_an_exchange_opens_with_its_verdicts(tmp_path: Path, browser: Any) -> None:
    bench = start_bench(tmp_path)
    try:
        with open_page(browser) as page:
            wait_ready(page, bench.admin_url + "/?session=direct")
            assert page.is_visible("#seq-empty") and row_count(page) == 0

            def traffic() -> None:
                with requests.Session() as http:
                    for i in range(60):
                        text = "BONJOUR" if i % 4 else "bonjour en minuscules"
                        http.post(f"{bench.url('echo')}/s/direct/echo", data=text.encode(),
                                  headers={"Content-Type": "text/plain"})
                        time.sleep(0.01)

            sender = threading.Thread(target=traffic)
            sender.start()
            page.wait_for_function("SB.sequence.rows.length >= 10", timeout=60_000)
            page.wait_for_timeout(400)
            screenshot(page, "01-fleches-en-direct")
            sender.join()
            page.wait_for_function("SB.sequence.rows.length === 60", timeout=60_000)
            assert page.locator("#seq-spacer .row").count() > 10  # drawn, virtualised to the viewport
            assert "60 échanges" in page.inner_text("#counter").replace("\u202f", " ")
            lanes = page.inner_text("#lanes-head")
            for label in ("DUI", "INSi", "DMP", "MSSanté", "ROR", "Annuaire", "Écho"):
                assert label in lanes
            assert page.get_attribute("#lanes-head div:first-child", "title") == "DUI (logiciel testé)"

            page.locator("#seq-spacer .row").last.click()
            page.wait_for_selector("[data-testid=verdict]")
            detail = page.inner_text("#detail")
            assert "Vérifications de conformité" in detail and "echo@1" in detail
            assert "Le service d'écho renvoie le corps de la requête à l'identique." in detail
            screenshot(page, "02-detail-echange")
            page.keyboard.press("Escape")
            assert page.is_hidden("#detail")
            # keyboard: focus the list, move up to the last lower-case message, open it with Enter
            page.focus("#seq-scroll")
            page.keyboard.press("ArrowUp")
            page.keyboard.press("ArrowUp")
            page.keyboard.press("ArrowUp")
            page.keyboard.press("Enter")
            page.wait_for_selector("[data-testid=verdict]")
            assert "texte en majuscules : attendu" in page.inner_text("#detail")
    finally:
        bench.stop()


def test_ten_thousand_exchanges_load_fast_and_page_back(tmp_path: Path, browser: Any) -> None:
    bench = start_bench(tmp_path)
    try:
        journal = bench.runtime.journal
        now = time.time() - 3600
        for i in range(10_000):
            journal.record(Exchange(session="gros", service=("ins", "dmp", "mss", "ror")[i % 4],
                                    operation="operation", started_at=now + i * 0.01, status=200,
                                    request_body=b"<x/>", verdicts=[Verdict("c", "pass", ["bench@1"])]))
        journal.flush()
        with open_page(browser) as page:
            wait_ready(page, bench.admin_url + "/?session=direct")  # warm-up: fonts, cache
            seconds = wait_ready(page, bench.admin_url + "/?session=gros")
            page.wait_for_selector("#seq-spacer .row")
            assert "10 000 échanges" in page.inner_text("#counter").replace("\u202f", " ")
            assert row_count(page) == 500  # one page; older ones on demand
            screenshot(page, "03-dix-mille-echanges")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / "chargement-10000.json").write_text(json.dumps({"exchanges": 10_000, "load_s": seconds}))
            print(f"\npage prête avec 10 000 échanges en {seconds:.3f} s")
            page.evaluate("document.getElementById('seq-scroll').scrollTop = 0")
            page.wait_for_function("SB.sequence.rows.length === 1000", timeout=60_000)
            assert page.locator("#seq-spacer .row").count() < 100
    finally:
        bench.stop()


def test_page_keeps_up_with_hundreds_of_exchanges_per_second(tmp_path: Path, browser: Any) -> None:
    """2,000 exchanges at ~700/s: every arrow arrives, frames keep flowing, a click still opens."""
    bench = start_bench(tmp_path)
    try:
        journal = bench.runtime.journal
        with open_page(browser) as page:
            wait_ready(page, bench.admin_url + "/?session=rafale")
            page.evaluate("""() => {
                window.__gaps = []; let last = performance.now();
                const tick = (t) => { window.__gaps.push(t - last); last = t;
                                      if (!window.__stop) requestAnimationFrame(tick); };
                requestAnimationFrame(tick);
            }""")

            def burst() -> None:
                for _ in range(40):
                    for _ in range(50):
                        journal.record(Exchange(session="rafale", service="mss", operation="smtp.send",
                                                protocol="smtp", started_at=time.time(), status=250))
                    time.sleep(0.05)

            started = time.perf_counter()
            recorder = threading.Thread(target=burst)
            recorder.start()
            page.wait_for_function("SB.sequence.rows.length >= 500", timeout=60_000)
            page.locator("#seq-spacer .row").last.click()
            page.wait_for_selector("#detail:not([hidden]) [data-testid=detail-verdict]", timeout=5_000)
            recorder.join()
            page.wait_for_function("SB.sequence.rows.length === 2000", timeout=15_000)
            elapsed = time.perf_counter() - started
            gaps = page.evaluate("window.__stop = true; window.__gaps.slice(1).sort((a, b) => a - b)")
            worst, p95 = max(gaps), gaps[int(len(gaps) * 0.95)]
            screenshot(page, "10-rafale-2000-echanges")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / "rafale.json").write_text(json.dumps({"exchanges": 2000, "seconds": elapsed,
                                                               "redraws": page.evaluate("SB.sequence.debugState().flushes"),
                                                               "frame_gap_p95_ms": p95, "frame_gap_max_ms": worst}))
            state = page.evaluate("SB.sequence.debugState()")
            assert 2000 / elapsed >= 200
            assert state["flushes"] <= 200, f"{state['flushes']} redraws for 2,000 exchanges: not batched"
            assert page.locator("#seq-spacer .row").count() < 100  # virtualised
            assert worst < 2000, f"the page froze for {worst:.0f} ms"
    finally:
        bench.stop()


def test_page_reconnects_and_backfills_without_losing_or_doubling_arrows(tmp_path: Path, browser: Any) -> None:
    """The server ends each feed after a second; the browser reconnects with Last-Event-ID."""
    bench = start_bench(tmp_path, feed=FeedSettings(lifetime_s=1.0, retry_ms=300))
    try:
        with open_page(browser) as page:
            wait_ready(page, bench.admin_url + "/?session=coupures")
            with requests.Session() as http:
                for i in range(150):
                    http.post(f"{bench.url('echo')}/s/coupures/echo", data=f"MESSAGE {i}".encode())
                    time.sleep(0.02)
            page.wait_for_function("SB.sequence.rows.length >= 150", timeout=60_000)
            page.wait_for_timeout(1500)  # one more reconnection: nothing may arrive twice
            ids = page.evaluate("SB.sequence.rows.map((r) => r.id)")
            assert len(ids) == 150 == len(set(ids))
            assert page.evaluate("SB.state.connections") >= 3
    finally:
        bench.stop()


def test_scenario_player_plays_step_by_step_and_shows_the_refusal(tmp_path: Path, browser: Any) -> None:
    bench = start_bench(tmp_path, FakeServices(), FakeJourneys())
    try:
        with open_page(browser) as page:
            wait_ready(page, bench.admin_url + "/?session=parcours")
            page.click("#tab-scenarios")
            page.click("[data-journey=demo]")
            assert "Elle envoie l'information préoccupante par MSS." in page.inner_text("#scenario-body")
            page.click("#tab-sequence")
            strip = page.locator("#player-strip")
            assert "prochaine étape 1" in strip.inner_text()
            for step in (1, 2, 3):
                strip.locator(".step-next").click()
                page.wait_for_function(f"SB.sequence.rows.length === {step}", timeout=60_000)
            page.wait_for_timeout(400)  # let the last arrow finish growing
            screenshot(page, "04-lecteur-de-scenario")
            assert "parcours terminé" in strip.inner_text()
            page.click("#tab-scenarios")
            assert "refusé : destinataire hors espace de confiance" in page.inner_text("#scenario-body")
            page.click("#tab-sequence")
            assert [page.get_attribute(f'#seq-spacer .row >> nth={i}', "data-verdict") for i in range(3)] == [
                "pass", "fail", "pass"]
            page.locator('#seq-spacer .row[data-verdict="fail"]').click()
            page.wait_for_selector("[data-testid=verdict]")
            detail = page.inner_text("#detail")
            assert "texte en majuscules : attendu 'RAPPORT AU JUGE', obtenu 'rapport au juge'" in detail
            screenshot(page, "05-message-refuse")
    finally:
        bench.stop()


def test_service_views_and_one_click_faults(tmp_path: Path, browser: Any) -> None:
    bench = start_bench(tmp_path, FakeServices(), FakeJourneys())
    try:
        with open_page(browser) as page:
            wait_ready(page, bench.admin_url + "/?session=vues")
            page.click("#tab-ins")
            wait_text(page, "#view-body", "MARTIN")
            assert "MARTIN" in page.inner_text("#view-body") and "qualifiée" in page.inner_text("#view-body")
            page.click("#tab-dmp")
            page.wait_for_selector("#dmp-viewer")
            assert "2 document(s) visible(s) sur 2" in page.inner_text("#view-body")
            page.select_option("#dmp-viewer", "parent")
            page.wait_for_function("document.getElementById('view-body').innerText.includes('1 masqué')")
            assert "Consultation confidentielle" not in page.inner_text("#view-body")
            screenshot(page, "06-dmp-vu-par-un-parent")
            page.click("#tab-mss")
            wait_text(page, "#view-body", "ip.pdf")
            assert "ip.pdf" in page.inner_text("#view-body") and "DSN délivré" in page.inner_text("#view-body")
            page.click("#tab-ror")
            page.wait_for_selector("#view-body svg .etab circle")
            assert page.locator("#view-body svg .etab circle").count() == 2
            assert page.locator("#view-body svg path.dept").count() == 96  # the départements as shapes
            screenshot(page, "07-ror-carte")
            page.click("#tab-psc")  # a generic view: its own tab, drawn from the "tables" shape
            wait_text(page, "#view-body", "899700000001")
            assert page.inner_text("#view-title") == "Pro Santé Connect"

            slow = page.locator("[data-preset=dmp-slow]")
            slow.click()
            page.wait_for_selector('[data-preset=dmp-slow][aria-pressed="true"]')
            rules = requests.get(bench.admin_url + "/_bench/faults", params={"session": "vues"}).json()["rules"]
            assert [(r["service"], r["kind"], r["latency_ms"], r["session"]) for r in rules] == [
                ("dmp", "latency", 3000.0, "vues")]
            screenshot(page, "08-panne-dmp-lent")
            page.locator("[data-preset=dmp-slow]").click()
            page.wait_for_selector('[data-preset=dmp-slow][aria-pressed="false"]')
            assert requests.get(bench.admin_url + "/_bench/faults").json()["rules"] == []
    finally:
        bench.stop()


def test_without_providers_the_page_says_what_is_missing(tmp_path: Path, browser: Any) -> None:
    bench = start_bench(tmp_path)
    try:
        with open_page(browser) as page:
            wait_ready(page, bench.admin_url + "/")
            for preset in ("insi-down", "dmp-slow", "mss-refuses", "token-expired"):
                assert page.locator(f"[data-preset={preset}]").is_disabled()
            assert "service non démarré" in page.inner_text("#fault-why")
            page.click("#tab-ins")
            assert "Service non démarré" in page.inner_text("#view-body")
            page.click("#tab-scenarios")
            assert "Lecteur de scénarios indisponible" in page.inner_text("#scenario-body")
            page.fill("#session-name", "formation-1")
            page.click("#session-create button")
            page.wait_for_function("new URL(location.href).searchParams.get('session') === 'formation-1'"
                                   " && document.getElementById('session-select').value === 'formation-1'")
            assert page.get_attribute("#bundle-link", "href") == "/ui/api/sessions/formation-1/bundle.zip"
            page.click("#tab-sequence")
            with requests.Session() as http:
                for _ in range(3):
                    http.post(f"{bench.url('echo')}/s/formation-1/echo", data=b"SALUT")
            page.wait_for_function("SB.sequence.rows.length === 3", timeout=60_000)
            with page.expect_download() as download:
                page.click("#bundle-link")
            assert download.value.suggested_filename == "preuves-formation-1.zip"
            page.click("#session-reset")  # the confirmation dialog is accepted by open_page
            page.wait_for_function("SB.sequence.rows.length === 0 && !document.getElementById('seq-empty').hidden"
                                   " && document.getElementById('fault-message').textContent.includes('réinitialisée')",
                                   timeout=60_000)
            assert page.locator("#seq-spacer .row").count() == 0
            screenshot(page, "09-sans-services")
    finally:
        bench.stop()
