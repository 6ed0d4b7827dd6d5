"""parcours@ checks on recorded exchanges: outside the trust space, educational documents in the DMP,
DMP use without a qualified INS."""

from __future__ import annotations

from simulators.core.exchange import Exchange

from conformance.drivers.judge import blocking_lines, judge
from conformance.outcomes import Outcome


def smtp_send(*recipients: tuple[str, bool], at: float = 1.0) -> Exchange:
    return Exchange(session="s", service="mss", operation="send", started_at=at, protocol="smtp", status=250,
                    summary={"recipients": [{"recipient": r, "delivered": ok, "status": "" if ok else "5.7.1"}
                                            for r, ok in recipients]})


def dmp_call(operation: str, ins: str, at: float, documents: list[dict] | None = None) -> Exchange:
    return Exchange(session="s", service="dmp", operation=operation, started_at=at, status=200,
                    summary={"patient_ins": ins, "documents": documents or []})


def insi(ins: str, at: float) -> Exchange:
    return Exchange(session="s", service="ins", operation="rechercherInsAvecTraitsIdentite", started_at=at,
                    status=200, summary={"cr": "00", "ins": {"matricule": ins}})


def verdicts(exchanges: list[Exchange]) -> dict[str, Outcome]:
    report = judge(exchanges, session="s")
    return {v.requirement.id: v.outcome for v in report.requirements if v.requirement.id.startswith("parcours@")}


def test_mss_to_the_judiciary_fails_parcours_1_with_the_address() -> None:
    bad = smtp_send(("crip@cd93.mssante.test", True), ("xavier.delmas@tribunal-judiciaire.justice.test", False))
    good = smtp_send(("crip@cd93.mssante.test", True), ("218039306654742@patient.mssante.fr", True), at=2.0)
    assert verdicts([good])["parcours@1"] == Outcome.PASS
    assert verdicts([bad, good])["parcours@1"] == Outcome.FAIL
    lines = blocking_lines(judge([bad], session="s"))
    assert any("parcours@1" in line and "xavier.delmas@tribunal-judiciaire.justice.test" in line for line in lines)


def test_educational_document_in_the_dmp_fails_parcours_2() -> None:
    health = dmp_call("ITI-41", "1", 2.0, [{"title": "Ordonnance - Élise", "type_code": "57833-6"}])
    educational = dmp_call("ITI-41", "1", 3.0, [{"title": "Rapport d'échéance - Elliot", "type_code": "EXPORT_DUI"}])
    assert verdicts([insi("1", 1.0), health])["parcours@2"] == Outcome.PASS
    assert verdicts([insi("1", 1.0), health, educational])["parcours@2"] == Outcome.FAIL


def test_dmp_before_qualification_fails_parcours_3() -> None:
    assert verdicts([insi("1", 1.0), dmp_call("ITI-18", "1", 2.0)])["parcours@3"] == Outcome.PASS
    assert verdicts([dmp_call("ITI-18", "1", 1.0), insi("1", 2.0)])["parcours@3"] == Outcome.FAIL
    assert verdicts([insi("1", 1.0)]).get("parcours@3", Outcome.OMIT) in (Outcome.OMIT, Outcome.SKIP)


def test_a_run_over_xdist_workers_judges_each_session_alone() -> None:
    """Worker gw1 used the DMP without qualifying the INS itself: gw0's qualification must not count."""
    from dataclasses import replace

    from conformance.drivers.judge import judge_run

    gw0 = [replace(insi("1", 1.0), session="run-gw0")]
    gw1 = [replace(dmp_call("ITI-18", "1", 2.0), session="run-gw1")]
    mixed = {v.requirement.id: v.outcome for v in judge(gw0 + gw1, session="run").requirements}
    assert mixed["parcours@3"] == Outcome.PASS  # what a naive merge would say
    report = judge_run(gw0 + gw1, session="run")
    verdicts = {v.requirement.id: v.outcome for v in report.requirements}
    assert verdicts["parcours@3"] == Outcome.FAIL and report.session == "run" and len(report.exchanges) == 2
