"""One correct run per service, made with the same kits as the defects minus the defect: zero failed
requirement and zero warning (a false alarm is a bug of the bench). Without these, a defect "caught" could
be the baseline failing the same id.
"""

from __future__ import annotations

import pytest

from tests.conformance.defects import test_annuaire_defects as annuaire
from tests.conformance.defects import test_dmp_defects as dmp
from tests.conformance.defects import test_ins_defects as ins
from tests.conformance.defects import test_mss_defects as mss
from tests.conformance.defects import test_ror_defects as ror
from tests.conformance.defects.harness import DefectBench
from datetime import UTC


def correct_ins(bench: DefectBench, session: str) -> None:
    kit = ins.Kit(bench)
    kit.post(session, ins.ELISE)
    kit.post(session, ins.LEONARDO)  # CR 02, then the other given name, then the birthplace
    kit.post(session, ins.TraitsQuery("DE VINCI", ("LEONARDO", "PIERO"), "M", "2014-02-01", ""))
    ins.cpx(with_assertion=True)(kit, session)


def qualify_elise(bench: DefectBench, session: str) -> None:
    """A DUI qualifies the INS through INSi before using it with the DMP or MSSanté (cross-service rules)."""
    assert ins.Kit(bench).post(session, ins.ELISE).status_code == 200


def correct_dmp(bench: DefectBench, session: str) -> None:
    qualify_elise(bench, session)
    kit = dmp.Kit(bench)
    client = kit.client(session)
    first = kit.spec("projet-personnalise")
    assert client.feed([(first, ())]).ok
    assert client.feed([(kit.spec("ordonnance"), ())]).ok
    client.set_authorization(kit.ins, kit.oid)
    found = client.find_documents(kit.ins, kit.oid)
    assert found.status.endswith("Success")
    from datetime import datetime, timedelta

    client.find_submission_sets(kit.ins, kit.oid, datetime.now(UTC) - timedelta(days=3))
    replaced = next(e for e in found.entries if e.unique_id == first.unique_id)
    new = kit.spec("projet-personnalise", replaces=first.unique_id, set_id=first.set_id, version=2)
    assert client.feed([(new, ())], replaces={new.unique_id: replaced.entry_uuid}).ok


def correct_mss(bench: DefectBench, session: str) -> None:
    qualify_elise(bench, session)
    kit = mss.Kit(bench)
    kit.send(session, mss.raw_of(kit.message()))
    kit.send(session, mss.raw_of(kit.xdm_message()))
    original = kit.message()
    kit.send(session, mss.raw_of(original))
    kit.send(session, mss.build_mdn(mss.raw_of(original), reporter=kit.reader), [kit.sender], sender=kit.reader,
             rcpt_options=[])
    answer = kit.message(subject="RE: Rapport de situation", in_reply_to=str(original["Message-ID"]))
    kit.send(session, mss.raw_of(answer))
    address = kit.elise.mes_address
    kit.send(session, mss.raw_of(kit.message(to=[address], end_patient_thread=True)), [address])


def correct_ror(bench: DefectBench, session: str) -> None:
    kit = ror.Kit(bench)
    bearer = kit.token(session)
    kit.get(session, "HealthcareService", ror.BASE, bearer=bearer)
    first = kit.get(session, "HealthcareService", [("_count", "1")], bearer=bearer).json()
    following = next((link["url"] for link in first.get("link", []) if link.get("relation") == "next"), None)
    assert following
    kit.http.get(following, headers={"Authorization": f"Bearer {bearer}", "Accept": ror.m.FHIR_JSON,
                                     **ror.m.EXAMPLE_HEADERS}, verify=bench.credentials.trust_bundle, timeout=30)


def correct_annuaire(bench: DefectBench, session: str) -> None:
    kit = annuaire.Kit(bench)
    kit.get(session, "PractitionerRole", {"mailbox-mss": kit.reader})
    kit.get(session, "Organization", {"identifier": kit.idnst})
    annuaire.all_pages(kit, session)


RUNS = {"ins": correct_ins, "dmp": correct_dmp, "mss": correct_mss, "ror": correct_ror, "annuaire": correct_annuaire}


@pytest.mark.parametrize("service", sorted(RUNS))
def test_a_correct_run_has_no_failure_and_no_warning(defect_bench: DefectBench, service: str) -> None:
    session = defect_bench.session(f"correct-{service}")
    RUNS[service](defect_bench, session)
    defect_bench.wait_for_exchanges(session)
    verdict = defect_bench.judge(session)
    assert verdict.failed() == [], verdict.explain()
    judged = {i for i, s in verdict.statuses.items() if s == "pass"}
    assert judged, "aucune exigence jugée : le parcours correct n'a rien exercé"
