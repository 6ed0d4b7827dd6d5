"""A submission the simulated DMP refuses is recorded as a refusal on the exchange, and the report
fails the requirement it breaks with the DMP's own diagnosis (issue 14, item 2), over mutual TLS."""

from __future__ import annotations

from conformance.evaluate import build_report
from conformance.live import default_live_checker
from conformance.outcomes import Outcome
from conformance.registry import default_registry
from conformance.requirements import load_catalogue
from simulators.core.journal import ExchangeQuery
from tests.dmp.conftest import cda_for


def test_a_refused_patient_mismatch_fails_dmp_7_with_the_dmp_diagnosis(make_client, world, dmp_bench, session) -> None:
    doctor = make_client("medecin-elise")
    spec = cda_for(world, "elise", "medecin-elise", "ordonnance")
    sub = doctor.prepare([(spec, ())])
    sub.entries[0].patient_id = sub.entries[0].patient_id.replace(spec.patient.ins, world.person("fanny").ins.value)
    assert not doctor.provide_and_register(sub).ok
    journal = dmp_bench.runtime.journal
    journal.flush()
    [feed] = journal.query(ExchangeQuery(session=session, operation="ITI-41"))
    refusal = feed.summary["refusal"]
    assert refusal["code"] == "XDSPatientIdDoesNotMatch" and refusal["origin"] == "dui"
    verdicts = [v for v in default_live_checker()(feed) if v.check == "refus.dmp@7"]
    assert feed.summary["refusal"]["requirements"] == ["dmp@7"]  # the live checker names what it breaks
    assert verdicts and verdicts[0].outcome == "fail"
    report = build_report(session=session, exchanges=[feed], registry=default_registry(),
                          catalogue=load_catalogue())
    [dmp7] = [v for v in report.requirements if v.requirement.id == "dmp@7"]
    assert dmp7.outcome is Outcome.FAIL and report.exit_code == 1
    assert any("XDSPatientIdDoesNotMatch" in r.message for r in dmp7.results if r.outcome is Outcome.FAIL)
