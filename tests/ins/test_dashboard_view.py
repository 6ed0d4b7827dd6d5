"""The dashboard's INSi view (`GET /_bench/ins/dashboard`): the session's identity base in the README
shape, with the world's status of each identity and "récupérée (INSi)" once INSi returned it."""

from __future__ import annotations

import requests

from simulators.core.bench import Bench
from simulators.core.exchange import Exchange
from simulators.identities.world import build_world
from simulators.ins.admin import QUALIFIED_LABEL, RETRIEVED_LABEL, retrievals, shared_ins, shown_status
from tests.dashboard.view_contract import assert_view
from tests.ins.conftest import http_client
from tests.ins.test_admin import VENDOR, persons_url


def view(bench: Bench, session: str) -> dict:
    reply = requests.get(f"{bench.admin_url}/_bench/ins/dashboard", params={"session": session}, timeout=10)
    assert reply.status_code == 200, reply.text
    document = reply.json()
    assert_view("persons", document)
    return document


def test_elliot_is_provisional_until_insi_returns_him_then_retrieved(http_bench: Bench) -> None:
    session = "dashboard-ins"
    world = build_world(http_bench.runtime.config.seed)
    elliot = world.person("elliot")
    rows = {p["id"]: p for p in view(http_bench, session)["persons"]}
    assert len(rows) == len(world.persons)
    row = rows["elliot"]
    assert (row["birth_name"], row["first_names"], row["sex"], row["birth_date"], row["birth_place"]) == (
        "DUMONTIER", "ELLIOT NATHAN", "M", "2012-06-03", "75114")
    assert (row["ins"], row["oid"]) == (elliot.ins.value, "1.2.250.1.213.1.4.10") and len(row["ins"]) == 15
    assert (row["status"], row["world_status"]) == ("provisoire", "PROV")
    assert rows["elliot-mere"]["status"] == "qualifiée"
    with_history = [p for p in rows.values() if p["history"]]
    assert with_history and all(len(h["ins"]) == 15 and h["oid"] for p in with_history for h in p["history"])

    client = http_client(http_bench, session)
    assert client.search_traits("DUMONTIER", "ELLIOT NATHAN", "M", "2012-06-03", "75114").matricule == elliot.ins.value
    client.search_traits("DUMONTIER", "PERSONNE", "M", "2012-06-03", "75114")  # CR 01: nobody retrieved
    rows = {p["id"]: p for p in view(http_bench, session)["persons"]}
    assert rows["elliot"]["status"] == RETRIEVED_LABEL
    assert rows["elliot"]["insi"]["retrieved"] and rows["elliot"]["insi"]["lookups"] == 1
    assert rows["fanny"]["status"] == "provisoire"
    other = {p["id"]: p for p in view(http_bench, "dashboard-ins-other")["persons"]}
    assert other["elliot"]["status"] == "provisoire"  # the journal is read per session


def test_vendor_identities_and_hidden_persons_follow_the_session_base(http_bench: Bench) -> None:
    session = "dashboard-ins-vendor"
    added = requests.post(persons_url(http_bench, session), json=VENDOR, timeout=10).json()
    requests.delete(persons_url(http_bench, session) + "/elliot", timeout=10)
    rows = {p["id"]: p for p in view(http_bench, session)["persons"]}
    assert "elliot" not in rows
    vendor = rows[added["id"]]
    assert (vendor["ins"], vendor["status"], vendor["origin"]) == ("171202A00412312", "", "admin")
    assert [h["ins"][:13] for h in vendor["history"]] == ["1712099999123"]


def test_status_rules() -> None:
    def lookup(at: float, **summary: object) -> Exchange:
        return Exchange(session="s", service="ins", operation="rechercherInsAvecTraitsIdentite", started_at=at,
                        summary=summary)

    lookups = [lookup(10.0, cr="00", candidates=["a"]), lookup(20.0, cr="00", candidates=["a"]),
               lookup(5.0, cr="02", candidates=["b", "c"]), lookup(5.0, cr="01", candidates=["d"]),
               lookup(5.0, fault={"code": "insi_102"}, candidates=["e"])]
    found = retrievals(lookups)
    assert list(found) == ["a"] and (found["a"].count, found["a"].last_at) == (2, 20.0)
    assert [shown_status(s, found["a"]) for s in ("PROV", "VALI", "RECUP", "QUAL", "")] == [
        RETRIEVED_LABEL, RETRIEVED_LABEL, RETRIEVED_LABEL, "qualifiée", RETRIEVED_LABEL]
    assert [shown_status(s, None) for s in ("PROV", "VALI", "RECUP", "QUAL", "")] == [
        "provisoire", "validée", "récupérée", "qualifiée", ""]


def test_an_ins_retrieved_then_shared_reads_qualified(http_bench: Bench) -> None:
    """Qualified = INSi answer + identity document, which the wire cannot show; sharing the INS (DMP,
    MSSanté XDM) is what only a qualified identity may do (RNIV), so the view reads "qualifiée" then."""
    session = "dashboard-ins-shared"
    elliot = build_world(http_bench.runtime.config.seed).person("elliot")
    http_client(http_bench, session).search_traits("DUMONTIER", "ELLIOT NATHAN", "M", "2012-06-03", "75114")
    http_bench.runtime.journal.record(Exchange(session=session, service="mss", operation="send", started_at=2.0,
                                               summary={"xdm": {"documents": [{"ins": elliot.ins.value}]}}))
    http_bench.runtime.journal.flush()
    rows = {p["id"]: p for p in view(http_bench, session)["persons"]}
    assert rows["elliot"]["status"] == QUALIFIED_LABEL and "qualifiée" in QUALIFIED_LABEL
    assert rows["fanny"]["status"] == "provisoire"


def test_shared_ins_reads_dmp_and_xdm_summaries() -> None:
    dmp = Exchange(session="s", service="dmp", operation="ITI-41", started_at=1.0,
                   summary={"vihf": {"ins": "112067511400212"}})
    mss = Exchange(session="s", service="mss", operation="send", started_at=1.0,
                   summary={"xdm": {"documents": [{"ins": "2750199999999"}, {"x": 1}]}})
    assert shared_ins([dmp, mss]) == {"1120675114002", "2750199999999"}
    assert shared_ins([Exchange(session="s", service="mss", operation="send", started_at=1.0)]) == set()
    assert shown_status("PROV", retrievals([]).get("x"), shared=True) == "provisoire"  # shared without INSi

