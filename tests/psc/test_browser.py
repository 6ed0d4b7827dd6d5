"""A headless Chromium logs a professional in through the e-CPS page (code + PKCE); the token
opens IMAP. Skips with the reason when Playwright or Chromium is absent."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse, urlsplit

from simulators.core.config import BenchConfig
from simulators.core.tls import client_context
from simulators.mss.client import MailClient
from simulators.psc.client import DEFAULT_REDIRECT, PscClient, pkce_pair
from simulators.psc.seed import world_users

USER = world_users(BenchConfig().seed)[0]


def test_browser_login_with_pkce_opens_imap(psc: PscClient, psc_bench, pki, browser) -> None:
    verifier, challenge = pkce_pair()
    url = psc.authorization_url(redirect_uri=DEFAULT_REDIRECT, challenge=challenge, state="etat-navigateur")
    landed: list[str] = []
    context = browser.new_context(ignore_https_errors=True, locale="fr-FR")
    page = context.new_page()
    # the DUI's redirect URI does not exist: catch the navigation the way a native app's loopback would
    page.route("http://dui.socle-bench.test/**",
               lambda route: (landed.append(route.request.url), route.fulfill(status=200, body="ok")))
    page.goto(url)
    assert page.locator("h1").inner_text() == "Pro Santé Connect"
    page.fill("#identifier", USER.rpps)
    page.fill("#code", "mauvais")
    page.click("#se-connecter")
    assert "incorrect" in page.locator(".erreur").inner_text()
    page.fill("#identifier", USER.rpps)
    page.fill("#code", "socle-bench")
    page.click("#se-connecter")
    page.wait_for_url("http://dui.socle-bench.test/**")
    context.close()
    query = parse_qs(urlsplit(landed[-1]).query)
    assert query["state"] == ["etat-navigateur"] and query["iss"][0].endswith("/realms/esante-wallet")
    token = psc.exchange_code(query["code"][0], verifier)["access_token"]
    ports = {name: int(urlparse(psc_bench.url(name)).port or 0) for name in ("smtp", "imap")}
    imap = MailClient("127.0.0.1", ports["smtp"], ports["imap"], client_context(pki)).imap(USER.email, token)
    assert imap.select("INBOX")[0] == "OK"
    imap.logout()
