"""Identity base management per session through the admin API (add, hide, delete, reset)."""

from __future__ import annotations

import requests

from simulators.core.bench import Bench
from simulators.ins.model import TraitsQuery
from tests.ins.conftest import session_url
from tests.ins.helpers import ZOE, answer, request_bytes

VENDOR = {"nom_naissance": "DUPONT-D'ORNANO", "prenoms": ["JEAN-LUC", "MARC"], "sexe": "M",
          "date_naissance": "1971-00-00", "lieu_naissance": "2A004",
          "ins": {"nir": "171202A004123", "oid": "1.2.250.1.213.1.4.10"},
          "history": ["1712099999123"]}
JEAN_LUC = TraitsQuery("DUPONT-D'ORNANO", ("JEAN-LUC",), "M", "1971-00-00")


def persons_url(bench: Bench, session: str) -> str:
    return f"{bench.admin_url}/_bench/ins/sessions/{session}/persons"


def test_added_person_is_found_in_its_session_only(http_bench: Bench) -> None:
    created = requests.post(persons_url(http_bench, "admin-a"), json=VENDOR, timeout=10)
    assert created.status_code == 201, created.text
    person = created.json()
    assert person["ins"]["cle"] == "12"  # computed: 97 - (1711918004123 mod 97)
    assert person["origin"] == "admin"
    found = answer(session_url(http_bench, "admin-a"), request_bytes(JEAN_LUC))
    assert (found.cr, found.ins.nir, found.ins.oid) == ("00", "171202A004123", "1.2.250.1.213.1.4.10")
    assert [h.nir for h in found.history] == ["1712099999123"]
    assert answer(session_url(http_bench, "admin-b"), request_bytes(JEAN_LUC)).cr == "01"
    listed = requests.get(persons_url(http_bench, "admin-a"), params={"origin": "admin"}, timeout=10).json()
    assert [p["id"] for p in listed["persons"]] == [person["id"]]


def test_hidden_default_person_and_reset(http_bench: Bench) -> None:
    url = session_url(http_bench, "admin-hide")
    assert answer(url, request_bytes(ZOE)).cr == "00"
    assert requests.delete(persons_url(http_bench, "admin-hide") + "/cnam-adrun-zoe", timeout=10).status_code == 204
    assert answer(url, request_bytes(ZOE)).cr == "01"
    assert requests.get(persons_url(http_bench, "admin-hide") + "/cnam-adrun-zoe", timeout=10).status_code == 404
    requests.post(f"{http_bench.admin_url}/_bench/sessions/admin-hide/reset", timeout=10)
    assert answer(url, request_bytes(ZOE)).cr == "00"


def test_a_second_homonym_turns_00_into_02(http_bench: Bench) -> None:
    twin = {"id": "zoe-bis", "nom_naissance": "ADRUN", "prenoms": "ZOE ANNE", "sexe": "F",
            "date_naissance": "1975-12-31", "lieu_naissance": "75056", "ins": "2751275056001"}
    requests.post(persons_url(http_bench, "admin-twin"), json=[twin], timeout=10)
    assert answer(session_url(http_bench, "admin-twin"), request_bytes(ZOE)).cr == "02"
    assert requests.delete(persons_url(http_bench, "admin-twin") + "/zoe-bis", timeout=10).status_code == 204
    assert answer(session_url(http_bench, "admin-twin"), request_bytes(ZOE)).cr == "00"


def test_person_with_a_forced_fault(http_bench: Bench) -> None:
    broken = dict(VENDOR, id="broken", fault="desir_1020")
    requests.post(persons_url(http_bench, "admin-fault"), json=broken, timeout=10)
    reply = requests.post(session_url(http_bench, "admin-fault"), data=request_bytes(JEAN_LUC), timeout=10)
    assert reply.status_code == 500 and b'code="desir_1020"' in reply.content


def test_invalid_identities_are_refused_in_french(http_bench: Bench) -> None:
    url = persons_url(http_bench, "admin-bad")
    for bad, word in [(dict(VENDOR, nom_naissance="Dupont"), "nom_naissance"), (dict(VENDOR, sexe="X"), "sexe"),
                      (dict(VENDOR, ins="12345"), "ins"), (dict(VENDOR, fault="nope"), "fault"), ("texte", "objet")]:
        reply = requests.post(url, json=bad, timeout=10)
        assert reply.status_code == 400 and word in reply.json()["detail"], reply.text
    assert requests.get(f"{http_bench.admin_url}/_bench/ins/sessions/!bad/persons", timeout=10).status_code == 404
