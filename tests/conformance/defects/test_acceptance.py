"""Issue 14 acceptance: the reference DUI playing Élise is judged CONFORME with no warning, and each classic
defect, made by the reference DUI with one switch (``ReferenceDui(defects=...)``), makes ``socle-bench check``
exit 1 with the requirement it breaks. A correct MDN passes mss@7 and mss@20 together.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conformance.drivers.base import DriverError, DuiRefused, OutgoingMessage
from conformance.drivers.documents import make_document
from conformance.drivers.reference import DEFECTS, ReferenceDui
from features.steps.cast import Cast
from simulators.cli import main
from simulators.play import play
from tests.conformance.defects.harness import DefectBench, record
import contextlib


def _check(bench: DefectBench, session: str, tmp_path: Path) -> tuple[int, dict]:
    out = tmp_path / f"{session}.json"
    code = main(["check", "--session", session, "--bench-url", bench.admin_url, "--json", str(out), "--quiet"])
    return code, json.loads(out.read_text(encoding="utf-8"))


def _statuses(report: dict) -> dict[str, str]:
    return {r["id"]: r["status"] for r in report["requirements"]}


def test_reference_dui_playing_elise_is_conformant_without_warning(defect_bench: DefectBench, tmp_path: Path) -> None:
    session = defect_bench.session("elise-reference")
    narration = io.StringIO()
    assert play("elise", bench_url=defect_bench.admin_url, bench_pki=str(defect_bench.pki.directory),
                session=session, out=narration) == 0, narration.getvalue()[-3000:]
    code, report = _check(defect_bench, session, tmp_path)
    failing = {k: v for k, v in _statuses(report).items() if v in ("fail", "error", "warning")}
    assert (code, failing) == (0, {}), failing
    assert report["counts"]["fail"] == report["counts"]["warning"] == report["counts"]["error"] == 0
    assert {"ins", "dmp", "mss", "ror"} <= set(report["services"])
    assert _statuses(report)["mss@19"] == "pass"  # the reference DUI asks for DSN and MDN


# --- one defect each, made by the reference DUI --------------------------------------------------------------------
def _cast(bench: DefectBench) -> Cast:
    return Cast(bench.world, "elise")


def _dui(bench: DefectBench, session: str, *defects: str) -> ReferenceDui:
    dui = ReferenceDui(defects=defects)
    dui.open(bench.target(session))
    return dui


def _attempt(action) -> None:
    """The DUI acts; the simulator may refuse (that refusal is what the report must judge)."""
    with contextlib.suppress(DriverError, DuiRefused):
        action()


def feed_educational_report(dui: ReferenceDui, cast: Cast) -> None:
    elise = cast.person("Élise")
    dui.qualify_ins(cast.professional("la secrétaire de MECS"), elise)
    _attempt(lambda: dui.produce_document(cast.professional("la psychologue de MECS"), elise,
                                          make_document("rapport-echeance", "Élise")))


def feed_prescription(dui: ReferenceDui, cast: Cast, *, qualify: bool = True) -> None:
    elise = cast.person("Élise")
    if qualify:
        dui.qualify_ins(cast.professional("la secrétaire de MECS"), elise)
    _attempt(lambda: dui.feed_dmp(cast.professional("le médecin généraliste"), elise,
                                  make_document("ordonnance", "Élise")))


def write_to_patient(dui: ReferenceDui, cast: Cast) -> None:
    elise = cast.person("Élise")
    actor = cast.professional("l'éducateur spécialisé de MECS")
    dui.qualify_ins(cast.professional("la secrétaire de MECS"), elise)
    _attempt(lambda: dui.send_message(actor, OutgoingMessage(recipients=(elise,), subject="Rendez-vous",
                                                             body="Bonjour Élise, rendez-vous jeudi.", patient=elise)))


def write_to_colleague(dui: ReferenceDui, cast: Cast) -> None:
    elise = cast.person("Élise")
    dui.send_message(cast.professional("le responsable ASE"), OutgoingMessage(
        recipients=(cast.professional("l'assistante sociale référente ASE"),), subject="Rapport de situation",
        body="Rapport de situation en pièce jointe.", patient=elise,
        documents=(make_document("rapport-situation", "Élise"),)))


def write_to_judge(dui: ReferenceDui, cast: Cast) -> None:
    elise = cast.person("Élise")
    _attempt(lambda: dui.send_message(cast.professional("l'assistante sociale de la CRIP"), OutgoingMessage(
        recipients=(cast.professional("le juge des enfants"),), subject="Rapport au juge",
        body="Rapport au juge des enfants.", patient=elise, documents=(make_document("rapport-juge", "Élise"),))))


# Cross-service rules (issue 14 item 4, conformance/checks_socle.py): an INS used with the DMP or MSSanté was
# qualified through INSi in the session; a failure DSN is not ignored by sending the same message again.
INS_QUALIFIED, DSN_IGNORED = "socle@1", "socle@3"


ACCEPTANCE = [
    ("dmp.feeds-everything", feed_educational_report, "dmp@19"),
    ("dmp.cda-other-patient", feed_prescription, "dmp@7"),
    ("dmp.foreign-signer", feed_prescription, "dmp@6"),
    ("dmp.no-mtom", feed_prescription, "dmp@12"),
    ("dmp.unqualified-ins", lambda dui, cast: feed_prescription(dui, cast, qualify=False), INS_QUALIFIED),
    ("mss.outside-trust-space", write_to_judge, DSN_IGNORED),
    ("mss.patient-address-bad-key", write_to_patient, "mss@14"),
    ("mss.no-receipts", write_to_colleague, "mss@19"),
]


@pytest.mark.parametrize(("defect", "action", "expected"), ACCEPTANCE, ids=[a[0] for a in ACCEPTANCE])
def test_each_acceptance_defect_makes_check_exit_1_with_its_id(defect_bench: DefectBench, tmp_path: Path,
                                                               request: pytest.FixtureRequest, defect: str, action,
                                                               expected: str) -> None:
    assert defect in DEFECTS
    from conformance.requirements import load_catalogue

    assert load_catalogue().get(expected) is not None, f"{expected} absent du catalogue"
    session = defect_bench.session(defect.replace(".", "-"))
    dui = _dui(defect_bench, session, defect)
    try:
        action(dui, _cast(defect_bench))
    finally:
        dui.close()
    code, report = _check(defect_bench, session, tmp_path)
    statuses = _statuses(report)
    record(request.node, service=expected.split("@")[0], defect=f"acceptance:{defect}", expected=expected,
           verdict=defect_bench.judge(session))
    assert statuses.get(expected) == "fail", (statuses.get(expected), [
        (r["id"], x["message"]) for r in report["requirements"] for x in r["results"] if x["outcome"] != "pass"])
    assert code == 1


def test_the_same_actions_without_defect_pass_those_ids(defect_bench: DefectBench, tmp_path: Path) -> None:
    """The actions above are not wrong in themselves: without the switch, none of their ids fails."""
    session = defect_bench.session("sans-defaut")
    dui = _dui(defect_bench, session)
    cast = _cast(defect_bench)
    feed_prescription(dui, cast)
    write_to_patient(dui, cast)
    write_to_colleague(dui, cast)
    dui.close()
    code, report = _check(defect_bench, session, tmp_path)
    failing = {k: v for k, v in _statuses(report).items() if v in ("fail", "error", "warning")}
    assert (code, failing) == (0, {})


def test_a_correct_mdn_passes_mss7_and_mss20(defect_bench: DefectBench, tmp_path: Path) -> None:
    """The receiving DUI answers a Disposition-Notification-To with an RFC 8098 MDN (multipart/report)."""
    from simulators.mss.client import compose, wire_bytes
    from simulators.mss.codec.mdn import build_mdn

    session = defect_bench.session("mdn")
    dui = _dui(defect_bench, session)
    cast = _cast(defect_bench)
    sender, reader = cast.professional("le responsable ASE"), cast.professional("l'assistante sociale référente ASE")
    mss = dui.part("mss")
    original = compose(sender.mss_address, "Responsable ASE", [reader.mss_address], "Rapport", "Rapport joint.",
                       dnt=True)
    mss.client.send(original, sender.mss_address, mss.token(sender.mss_address), notify="SUCCESS,FAILURE")
    mdn = build_mdn(wire_bytes(original), reporter=reader.mss_address)
    with mss.client.smtp(reader.mss_address, mss.token(reader.mss_address)) as smtp:
        smtp.sendmail(reader.mss_address, [sender.mss_address], mdn)
    dui.close()
    code, report = _check(defect_bench, session, tmp_path)
    statuses = _statuses(report)
    assert (statuses["mss@7"], statuses["mss@20"]) == ("pass", "pass"), [
        (r["id"], x["message"]) for r in report["requirements"] for x in r["results"] if x["outcome"] != "pass"]
    assert code == 0


def test_the_seeded_defects_are_reachable_from_the_command_line() -> None:
    """``--dui reference+<defect>`` (play, features) builds the reference DUI with that defect; unknown ones say so."""
    from conformance.drivers import DriverLoadError, load_driver

    driver = load_driver("reference+mss.no-receipts,dmp.no-mtom")
    assert isinstance(driver, ReferenceDui) and driver.defects == {"mss.no-receipts", "dmp.no-mtom"}
    assert load_driver("reference").defects == frozenset()
    with pytest.raises(DriverLoadError, match=r"défauts inconnus : mss.oubli"):
        load_driver("reference+mss.oubli")
