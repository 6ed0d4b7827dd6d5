"""The dashboard's page and JSON API on a real bench (echo simulator, live echo checks)."""

from __future__ import annotations

import io
import re
import zipfile

import requests

from conformance.bundle import verify_bundle
from simulators.core.bench import Bench


def post_echo(bench: Bench, text: str, session: str = "default", n: int = 1) -> None:
    with requests.Session() as http:
        for _ in range(n):
            http.post(f"{bench.url('echo')}/s/{session}/echo", data=text.encode(),
                      headers={"Content-Type": "text/plain"}).raise_for_status()


def test_page_is_french_offline_and_its_assets_are_served(dash: Bench) -> None:
    page = requests.get(dash.admin_url + "/")
    assert page.status_code == 200 and '<html lang="fr">' in page.text
    assert not re.search(r'(src|href)="(https?:)?//', page.text), "aucune ressource externe (CDN)"
    assets = re.findall(r'(?:src|href)="(/ui/static/[^"]+)"', page.text)
    assert len(assets) >= 8
    for asset in assets:
        response = requests.get(dash.admin_url + asset)
        assert response.status_code == 200, asset
        text = response.text.replace("http://www.w3.org/2000/svg", "")  # an XML namespace, not a download
        assert "http://" not in text and "https://" not in text, asset
    assert requests.get(dash.admin_url + "/_bench/health").json()["status"] == "ok"  # admin API untouched


def test_meta_lists_lanes_and_says_what_is_not_running(dash: Bench) -> None:
    meta = requests.get(dash.admin_url + "/ui/api/meta").json()
    assert [lane["label"] for lane in meta["lanes"]][:6] == ["DUI (logiciel testé)", "INSi", "DMP", "MSSanté",
                                                             "ROR", "Annuaire"]
    assert meta["lanes"][-1]["service"] == "echo" and meta["running"] == ["echo"]
    assert all(not v["running"] and not v["mounted"] for v in meta["views"])
    assert meta["scenarios"]["available"] is False


def test_meta_discovers_views_and_scenarios_of_mounted_providers(full_dash: Bench) -> None:
    meta = requests.get(full_dash.admin_url + "/ui/api/meta").json()
    views = {v["service"]: v for v in meta["views"]}
    assert all(views[s]["running"] and views[s]["mounted"] for s in ("ins", "dmp", "mss", "ror"))
    assert not views["annuaire"]["running"]
    assert views["psc"]["kind"] == "tables" and views["psc"]["path"] == "/_bench/psc/dashboard"
    assert views["ins"]["path"] == "/_bench/ins/dashboard" and views["ror"]["kind"] == "establishments"
    assert meta["scenarios"]["available"] is True
    persons = requests.get(full_dash.admin_url + views["ins"]["path"], params={"session": "default"}).json()
    assert persons["persons"][0]["status"] == "qualifiée"


def test_history_pages_newest_first_with_a_cursor(dash: Bench) -> None:
    post_echo(dash, "HELLO", session="paging", n=25)
    post_echo(dash, "ailleurs", session="other", n=2)
    url = dash.admin_url + "/ui/api/exchanges"
    first = requests.get(url, params={"session": "paging", "limit": 10}).json()
    assert first["total"] == 25 and len(first["rows"]) == 10 and first["next_before"] == first["rows"][0]["id"]
    ids = [r["id"] for r in first["rows"]]
    assert ids == sorted(ids)  # oldest to newest inside a page
    second = requests.get(url, params={"session": "paging", "limit": 10, "before": first["next_before"]}).json()
    third = requests.get(url, params={"session": "paging", "limit": 10, "before": second["next_before"]}).json()
    assert max(r["id"] for r in second["rows"]) < min(ids) and len(third["rows"]) == 5 and third["next_before"] is None
    everything = {r["id"] for page in (first, second, third) for r in page["rows"]}
    assert len(everything) == 25 and {r["session"] for r in first["rows"]} == {"paging"}
    assert first["rows"][0]["verdict"] == "pass"  # "HELLO": echoed, upper case, short


def test_detail_decodes_bodies_and_gives_requirement_texts(dash: Bench) -> None:
    post_echo(dash, "<note>en minuscules</note>", session="detail")
    row = requests.get(dash.admin_url + "/ui/api/exchanges", params={"session": "detail"}).json()["rows"][0]
    detail = requests.get(dash.admin_url + f"/ui/api/exchanges/{row['id']}").json()
    assert detail["request"]["kind"] == "text" or detail["request"]["kind"] == "xml"
    failed = [v for v in detail["verdicts"] if v["status"] == "fail"]
    assert failed and failed[0]["message"].startswith("texte en majuscules : attendu")
    requirement = failed[0]["requirements"][0]
    assert requirement["id"] == "echo@2" and requirement["text"].startswith("Le texte envoyé au service d'écho")
    assert {v["status"] for v in detail["verdicts"]} == {"pass", "fail", "warning"}
    assert detail["row"]["verdict"] == "fail"
    assert requests.get(dash.admin_url + detail["raw"]["request"]).content == b"<note>en minuscules</note>"
    missing = requests.get(dash.admin_url + "/ui/api/exchanges/nope")
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "application/problem+json"


def test_requirements_endpoint_merges_the_registry_catalogue(dash: Bench) -> None:
    data = requests.get(dash.admin_url + "/ui/api/requirements").json()
    assert data["version"].startswith("sha256:")
    assert data["requirements"]["echo@3"]["level"] == "RECOMMANDATION"
    assert "bench@1" in data["requirements"]


def test_fault_buttons_post_rules_that_the_admin_api_accepts(full_dash: Bench) -> None:
    admin = full_dash.admin_url
    states = {p["id"]: p for p in requests.get(admin + "/ui/api/faults", params={"session": "s1"}).json()["presets"]}
    assert states["insi-down"]["rules"][0]["fault"] == "insi_102"
    assert [r["service"] for r in states["token-expired"]["rules"]] == ["mss"]
    for preset in ("insi-down", "dmp-slow", "mss-refuses", "token-expired"):
        for rule in states[preset]["rules"]:
            assert requests.post(admin + "/_bench/faults", json=rule).status_code == 201
    after = {p["id"]: p for p in requests.get(admin + "/ui/api/faults", params={"session": "s1"}).json()["presets"]}
    assert all(p["active"] for p in after.values())
    other = requests.get(admin + "/ui/api/faults", params={"session": "s2"}).json()["presets"]
    assert not any(p["active"] for p in other)  # rules are per session
    response = requests.post(full_dash.url("ins") + "/s/s1/ping")
    assert response.status_code == 500  # insi_102 not rendered by the fake: the middleware's error


def test_bundle_download_is_a_verified_evidence_zip(dash: Bench, tmp_path) -> None:
    post_echo(dash, "HELLO", session="preuves", n=3)
    response = requests.get(dash.admin_url + "/ui/api/sessions/preuves/bundle.zip")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    assert 'filename="preuves-preuves.zip"' in response.headers["Content-Disposition"]
    path = tmp_path / "b.zip"
    path.write_bytes(response.content)
    assert verify_bundle(path) == []
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "manifest.json" in names and "rapport.html" in names and "exchanges.jsonl" in names
    requests.post(dash.admin_url + "/_bench/sessions", json={"name": "vide"})
    empty = requests.get(dash.admin_url + "/ui/api/sessions/vide/bundle.zip")
    assert empty.status_code == 409 and "aucun échange" in empty.json()["detail"]
    assert requests.get(dash.admin_url + "/ui/api/sessions/inconnue/bundle.zip").status_code == 404


def test_map_endpoint(dash: Bench) -> None:
    data = requests.get(dash.admin_url + "/ui/api/map").json()
    assert data["projection"]["kx"] > 0 and len(data["insets"]) == 5
