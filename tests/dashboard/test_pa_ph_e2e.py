"""An elderly and a disability journey played from the page (issue 20), then the trainer's views: the
map of départements zoomed on a région, the Annuaire Santé, the MSSanté boxes and the habilitation
matrices beside the DMP. A real bench with every shipped simulator over TLS, the reference DUI, headless
Chromium at 1280x720; screenshots in test-artifacts/dashboard/ (skipped with the reason without a browser).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.browser import open_page, screenshot
from tests.dashboard.real_bench import start_real_bench
from tests.dashboard.test_e2e import wait_ready, wait_text

pytestmark = pytest.mark.timeout(240)
SESSION = "pa-ph-e2e"


def play(page: Any, journey: str, steps: int, shot: str) -> None:
    page.click("#tab-scenarios")
    page.wait_for_selector(f"[data-journey={journey}]", timeout=15_000)
    page.click(f"[data-journey={journey}]")
    body = page.inner_text("#scenario-body")
    assert f"Étape suivante (1/{steps})" in body, body[:400]
    assert '"' not in page.inner_text("#scenario-body .steps"), "la narration garde des guillemets de Gherkin"
    for n in range(1, steps + 1):
        page.locator("#scenario-body .step-next").click()
        done = "Parcours terminé" if n == steps else f"Étape suivante ({n + 1}/{steps})"
        page.wait_for_function("t => document.getElementById('scenario-body').innerText.includes(t)", arg=done,
                               timeout=60_000)
        if n == 2:
            screenshot(page, f"{shot}-etape-2")
    failed = page.locator("#scenario-body .steps li.failed")
    assert failed.count() == 0, failed.first.inner_text()


def test_elderly_and_disability_journeys_played_from_the_page_then_the_trainer_views(
        tmp_path: Path, browser: Any, pytestconfig: pytest.Config) -> None:
    bench = start_real_bench(pytestconfig, tmp_path)
    try:
        with open_page(browser) as page:
            wait_ready(page, f"{bench.admin_url}/?session={SESSION}")
            page.click("#tab-scenarios")
            page.wait_for_selector("#scenario-body .sector-label", timeout=15_000)
            groups = page.locator("#scenario-body .sector .sector-label").all_inner_texts()
            assert groups == ["Protection de l'enfance", "Personnes âgées", "Personnes en situation de handicap"]
            assert page.locator("#scenario-body [data-journey]").count() == 16
            screenshot(page, "20-lecteur-par-secteur")
            play(page, "daniel", 5, "21-daniel")
            play(page, "louis_domicile", 6, "22-louis")
            page.click("#tab-sequence")
            page.wait_for_timeout(500)
            verdicts = page.evaluate("SB.sequence.rows.filter(r => r.service === 'mss' && r.operation === 'send')"
                                     ".map(r => r.verdict)")
            assert verdicts and "skip" not in verdicts, verdicts  # send arrows are judged, not "ignoré"
            screenshot(page, "23-sequence-apres-louis")

            page.click("#tab-ror")
            wait_text(page, "#view-body", "EHPAD Les Volcans")
            assert page.locator("#view-body svg.france path.dept").count() == 96
            page.select_option("#view-body .zoom select", "11")  # Île-de-France
            page.wait_for_timeout(300)
            screenshot(page, "24-carte-ile-de-france")
            page.select_option("#view-body .zoom select", "d93")  # the Seine-Saint-Denis cluster
            page.wait_for_timeout(300)
            labels = page.locator("#view-body svg.france .etab-label").all_text_contents()
            assert "MECS Les Tilleuls" in labels and "CAMSP de Bondy" in labels
            screenshot(page, "24-carte-seine-saint-denis")
            page.select_option("#view-body .zoom select", "84")
            page.wait_for_timeout(300)
            assert "63 Puy-de-Dôme" in page.locator("#view-body svg.france").text_content()
            screenshot(page, "25-carte-auvergne-rhone-alpes")

            page.click("#tab-annuaire")
            wait_text(page, "#view-body", "Professionnels (")
            text = page.inner_text("#view-body")
            assert "infirmière" not in text.lower() or "Structures (" in text
            assert "ehpad.volcans@les-volcans.mssante.test" in text
            screenshot(page, "26-annuaire")

            page.click("#tab-mss")
            page.wait_for_selector("#view-body button.item", timeout=30_000)
            box = page.locator("#view-body button.item", has_text="emilie.bonnet@").first
            box.scroll_into_view_if_needed()
            box.click()
            page.wait_for_timeout(800)
            shown = page.inner_text("#view-body .main")
            assert "Photographie" in shown, shown[:600]
            table = page.locator("#view-body .main")
            assert table.evaluate("e => e.scrollWidth <= e.clientWidth + 1 || getComputedStyle(e).overflowX === 'auto'")
            screenshot(page, "27-mssante")

            page.click("#tab-dmp")
            wait_text(page, "#view-body", "Qui lit quoi dans le DMP")
            page.locator("#view-body button.item", has_text="Louis").first.click()
            wait_text(page, "#view-body", "Santélien")
            page.evaluate("document.querySelector('#view-body .habilitations').scrollIntoView()")
            screenshot(page, "28-dmp-et-matrice-habilitations")
    finally:
        bench.stop()
