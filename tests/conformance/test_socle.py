"""socle@ cross-service rules, judged by default (issue 14, item 4): each one caught on a seeded
defect, passing on the correct shape, skipped only when the session holds nothing to judge."""

from __future__ import annotations

import io
import json

from conformance.evaluate import build_report
from conformance.outcomes import Outcome
from conformance.registry import default_registry
from conformance.requirements import load_catalogue
from conformance.runner import CheckOptions, run_check
from simulators.core.exchange import Exchange

ELISE = "211099304821493"


def insi(ins: str, at: float) -> Exchange:
    return Exchange(session="s", service="ins", operation="rechercherInsAvecTraitsIdentite", started_at=at,
                    status=200, summary={"cr": "00", "ins": {"matricule": ins, "oid": "1.2.250.1.213.1.4.10"}})


def dmp_feed(ins: str, at: float) -> Exchange:
    return Exchange(session="s", service="dmp", operation="ITI-41", started_at=at, status=200,
                    summary={"ins": ins, "vihf": {"ins": ins}, "documents": []})


def mss_send(at: float, *recipients: tuple[str, bool], subject: str = "Compte rendu", xdm_ins: str = "") -> Exchange:
    summary = {"mail_from": "crip@cd93.mssante.test", "subject": subject,
               "recipients": [{"recipient": r, "delivered": ok} for r, ok in recipients]}
    if xdm_ins:
        summary["xdm"] = {"documents": [{"ins": xdm_ins, "patient_id": f"{xdm_ins}^^^&1.2.250.1.213.1.4.10&ISO^NH"}]}
    return Exchange(session="s", service="mss", operation="send", started_at=at, protocol="smtp", status=250,
                    summary=summary)


def outcomes(exchanges: list[Exchange], **kw) -> dict[str, Outcome]:
    report = build_report(session="s", exchanges=exchanges, registry=default_registry(), catalogue=load_catalogue(),
                          now=1.0, **kw)
    return {v.requirement.id: v.outcome for v in report.requirements if v.requirement.id.startswith("socle@")}


def test_socle_1_ins_used_in_dmp_or_mss_must_be_qualified_first() -> None:
    assert outcomes([insi(ELISE, 1), dmp_feed(ELISE, 2)])["socle@1"] is Outcome.PASS
    assert outcomes([dmp_feed(ELISE, 1)])["socle@1"] is Outcome.FAIL  # INSi never called
    assert outcomes([dmp_feed(ELISE, 1), insi(ELISE, 2)])["socle@1"] is Outcome.FAIL  # qualified too late
    assert outcomes([insi("100000000000047", 1), dmp_feed(ELISE, 2)])["socle@1"] is Outcome.FAIL  # another INS
    mss = mss_send(2, ("mecs.tilleuls@horizon-enfance.mssante.test", True), xdm_ins=ELISE)
    assert outcomes([insi(ELISE, 1), mss])["socle@1"] is Outcome.PASS
    assert outcomes([mss])["socle@1"] is Outcome.FAIL
    assert outcomes([insi(ELISE, 1)]).get("socle@1", Outcome.OMIT) in (Outcome.SKIP, Outcome.OMIT)


def test_socle_1_sees_insi_answers_outside_the_judged_services() -> None:
    """``check --service dmp``: INSi's answers are context, not judged, and still qualify the INS."""
    verdicts = outcomes([dmp_feed(ELISE, 2)], services=["dmp"], context=[insi(ELISE, 1)])
    assert verdicts["socle@1"] is Outcome.PASS


def test_socle_2_patient_address_only_from_a_qualified_ins() -> None:
    address = f"{ELISE}@patient.mssante.fr"
    assert outcomes([insi(ELISE, 1), mss_send(2, (address, True))])["socle@2"] is Outcome.PASS
    assert outcomes([mss_send(2, (address, True))])["socle@2"] is Outcome.FAIL
    wrong_key = f"{ELISE[:-2]}99@patient.mssante.fr"
    assert outcomes([insi(ELISE, 1), mss_send(2, (wrong_key, False))])["socle@2"] is Outcome.FAIL


def test_socle_3_a_failure_dsn_is_not_ignored_by_resending_the_same_message() -> None:
    judge_address = "xavier.delmas@tribunal-judiciaire.justice.test"
    first = mss_send(1, (judge_address, False), subject="Rapport au juge")
    again = mss_send(5, (judge_address, False), subject="Rapport au juge")
    other = mss_send(6, ("crip@cd93.mssante.test", True), subject="Rapport au juge")
    assert outcomes([first, again])["socle@3"] is Outcome.FAIL
    assert outcomes([first, other])["socle@3"] is Outcome.PASS  # the DUI sent it elsewhere
    assert outcomes([other]).get("socle@3") in (Outcome.SKIP, None)


def test_check_with_a_service_filter_keeps_insi_as_context(tmp_path) -> None:
    journal = tmp_path / "journal.jsonl"
    journal.write_text("\n".join(json.dumps(e.to_json()) for e in [insi(ELISE, 1), dmp_feed(ELISE, 2)]) + "\n")
    out, err = io.StringIO(), io.StringIO()
    run_check(CheckOptions(session="s", services=["dmp"], journal=journal, json=tmp_path / "r.json"), out=out, err=err)
    data = json.loads((tmp_path / "r.json").read_text())
    [socle1] = [r for r in data["requirements"] if r["id"] == "socle@1"]
    assert socle1["outcome"] == "pass", socle1
    assert {e["service"] for e in data["exchanges"]} == {"dmp"}


def test_an_ins_declared_qualified_in_the_identity_base_counts_as_qualified() -> None:
    from conformance.sources import identity_base_exchange

    base = identity_base_exchange("s", [ELISE])
    assert outcomes([dmp_feed(ELISE, 2)], context=[base])["socle@1"] is Outcome.PASS
    assert outcomes([dmp_feed("100000000000047", 2)], context=[base])["socle@1"] is Outcome.FAIL


def test_the_runner_reads_the_identity_base_from_the_bench(tmp_path) -> None:
    import responses

    bench = "http://bench.test"
    page = {"exchanges": [dmp_feed(ELISE, 2).to_json()], "next_after": None}
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, f"{bench}/_bench/exchanges", json=page)
        mock.add(responses.GET, f"{bench}/_bench/ins/dashboard", json={"persons": [
            {"id": "elise", "ins": ELISE, "world_status": "QUAL"}, {"id": "x", "ins": "1" * 15, "world_status": "PROV"}]})
        out = io.StringIO()
        code = run_check(CheckOptions(session="s", bench_url=bench, json=tmp_path / "r.json"), out=out,
                         err=io.StringIO())
    data = json.loads((tmp_path / "r.json").read_text())
    [socle1] = [r for r in data["requirements"] if r["id"] == "socle@1"]
    assert socle1["outcome"] == "pass" and code in (0, 1)
    assert all(e["operation"] != "base-identites" for e in data["exchanges"])  # context, never judged


def test_context_reaches_only_cross_service_checks() -> None:
    """``check --service dmp``: bench@ session rules do not judge INSi exchanges given as context."""
    storm = [insi(ELISE, 1.0 + i / 100) for i in range(6)]  # identical INSi calls: a bench@4 storm if judged
    for exchange in storm:
        exchange.request_body, exchange.method = b"<same/>", "POST"
    judged = build_report(session="s", exchanges=storm, registry=default_registry(), catalogue=load_catalogue(), now=1.0)
    assert [v.outcome for v in judged.requirements if v.requirement.id == "bench@4"] == [Outcome.FAIL]
    report = build_report(session="s", exchanges=[dmp_feed(ELISE, 2)], registry=default_registry(),
                          catalogue=load_catalogue(), services=["dmp"], context=storm, now=1.0)
    bench4 = [v for v in report.requirements if v.requirement.id == "bench@4"]
    assert not bench4 or bench4[0].outcome is not Outcome.FAIL
