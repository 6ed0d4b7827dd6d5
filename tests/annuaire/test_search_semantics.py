"""Search semantics of the Annuaire simulator beyond the documented examples: POST `_search`,
`_sort`, `_summary=count`, `_total=none`, `:missing`, `:not`, `_has`, `Prefer: handling`, read ETag."""

from __future__ import annotations

import requests

from tests.annuaire.conftest import KEY

H = {"ESANTE-API-KEY": KEY}


def _get(base: str, query: str, **headers: str) -> requests.Response:
    return requests.get(f"{base}/{query}", headers={**H, **headers}, timeout=10)


def test_post_search_equals_get(annuaire_base: str) -> None:
    posted = requests.post(f"{annuaire_base}/Organization/_search", data={"type": "LEGAL-ENTITY"}, headers=H,
                           timeout=10).json()
    assert posted["total"] == _get(annuaire_base, "Organization?type=LEGAL-ENTITY").json()["total"] > 0


def test_sort_ascending_and_descending(annuaire_base: str) -> None:
    def families(query: str) -> list[str]:
        bundle = _get(annuaire_base, query).json()
        return [e["resource"]["name"][0]["family"] for e in bundle["entry"]]
    up, down = families("Practitioner?_sort=family&_count=100"), families("Practitioner?_sort=-family&_count=100")
    assert up == sorted(up) and down == sorted(down, reverse=True) and len(up) > 3
    assert _get(annuaire_base, "Practitioner?_sort=organization").status_code == 400


def test_summary_count_total_none_missing_not(annuaire_base: str) -> None:
    counted = _get(annuaire_base, "Organization?_summary=count").json()
    assert counted["total"] > 0 and "entry" not in counted
    assert "total" not in _get(annuaire_base, "Organization?_total=none").json()
    everyone = counted["total"]
    with_parent = _get(annuaire_base, "Organization?partof:missing=false").json()["total"]
    without = _get(annuaire_base, "Organization?partof:missing=true").json()["total"]
    assert with_parent + without == everyone and with_parent > 0
    legal = _get(annuaire_base, "Organization?type=LEGAL-ENTITY").json()["total"]
    assert _get(annuaire_base, "Organization?type:not=LEGAL-ENTITY").json()["total"] == everyone - legal


def test_has_reverse_chain(annuaire_base: str) -> None:
    role = _get(annuaire_base, "PractitionerRole?organization:missing=false&_count=1").json()["entry"][0]["resource"]
    org_id = role["organization"]["reference"].split("/")[1]
    practitioner_id = role["practitioner"]["reference"].split("/")[1]
    found = _get(annuaire_base, f"Organization?_has:PractitionerRole:organization:practitioner={practitioner_id}")
    assert org_id in {e["resource"]["id"] for e in found.json()["entry"]}
    nobody = _get(annuaire_base, "Organization?_has:PractitionerRole:organization:practitioner=nobody").json()
    assert nobody["total"] == 0


def test_prefer_handling_overrides_the_gateway(annuaire_base: str) -> None:
    assert _get(annuaire_base, "Practitioner?_foo=1").status_code == 200  # unknown `_x`: ignored
    assert _get(annuaire_base, "Practitioner?_foo=1", Prefer="handling=strict").status_code == 400
    lenient = _get(annuaire_base, "Practitioner?mailbox-mss-type=ORG", Prefer="handling=lenient").json()
    assert lenient["resourceType"] == "Bundle"
    assert "mailbox-mss-type" not in next(link["url"] for link in lenient["link"] if link["relation"] == "self")


def test_read_etag_and_not_modified(annuaire_base: str) -> None:
    first = _get(annuaire_base, "Organization?_count=1").json()["entry"][0]["resource"]
    read = _get(annuaire_base, f"Organization/{first['id']}")
    assert read.status_code == 200 and read.headers["ETag"] == 'W/"1"'
    assert _get(annuaire_base, f"Organization/{first['id']}", **{"If-None-Match": 'W/"1"'}).status_code == 304
    assert _get(annuaire_base, "Organization/absent").status_code == 404
