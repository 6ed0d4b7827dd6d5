"""The observe driver against a real bench: a background thread plays the human in front of their DUI."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.drivers.base import BenchTarget, OutgoingMessage
from conformance.drivers.documents import make_document
from conformance.drivers.local_bench import LocalBench, fresh_session_name, pki_credentials, start_local_bench, target_for
from conformance.drivers.observe import ObserveDriver, jsonl_notifier
from conformance.drivers.probe import WaitTimeout
from conformance.drivers.reference import ReferenceDui


def shared_pki(config: pytest.Config) -> Path | None:
    """The test PKI the journeys keep in pytest's cache (RSA keys are slow to make)."""
    cache = getattr(config, "cache", None)
    return Path(cache.mkdir("socle-bench-pki")) if cache is not None else None


@pytest.fixture(scope="module")
def local_bench(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Iterator[LocalBench]:
    bench = start_local_bench(tmp_path_factory.mktemp("observe"), only=("ins", "mss"), pki_dir=shared_pki(pytestconfig))
    yield bench
    bench.stop()


@pytest.fixture
def target(local_bench: LocalBench) -> BenchTarget:
    return target_for(local_bench.admin_url, fresh_session_name("observe"),
                      credentials=pki_credentials(local_bench.pki), timeout_s=20)


class Human(threading.Thread):
    """Reads each instruction and does it in "their DUI" (here: the reference DUI)."""

    def __init__(self, target: BenchTarget) -> None:
        super().__init__(daemon=True)
        self.instructions: queue.Queue[dict[str, Any]] = queue.Queue()
        self.dui = ReferenceDui()
        self.dui.open(target)
        self.world = target.world
        self.seen: list[dict[str, Any]] = []
        self.errors: list[BaseException] = []

    def run(self) -> None:
        while True:
            instruction = self.instructions.get()
            if instruction is None:
                return
            self.seen.append(instruction)
            try:
                self.perform(instruction)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                self.errors.append(exc)

    def perform(self, instruction: dict[str, Any]) -> None:
        actor = self.world.professional(instruction["actor"])
        if instruction["action"] == "qualify_ins":
            self.dui.qualify_ins(actor, self.world.person(instruction["person"]))
        elif instruction["action"] == "send_message" and instruction["recipients"][0].endswith("mssante.test"):
            crip = self.world.establishment("crip-93")
            self.dui.send_message(actor, OutgoingMessage((crip,), instruction["subject"], "Bonjour",
                                                         documents=(make_document("recueil-ip", "Fanny"),)))


@pytest.fixture
def human(target: BenchTarget) -> Iterator[Human]:
    player = Human(target)
    player.start()
    yield player
    player.instructions.put(None)  # type: ignore[arg-type]
    player.join(timeout=5)
    player.dui.close()


def test_observe_waits_for_the_insi_lookup_the_human_makes(target: BenchTarget, human: Human, tmp_path: Path) -> None:
    log = tmp_path / "consignes.jsonl"
    to_file = jsonl_notifier(str(log))

    def notify(instruction: dict[str, Any]) -> None:
        to_file(instruction)
        human.instructions.put(instruction)

    driver = ObserveDriver(notify, timeout_s=20)
    driver.open(target)
    world = target.world
    result = driver.qualify_ins(world.professional("sls-secretaire"), world.person("fanny"))
    assert not human.errors
    assert result.status == "QUAL" and result.ins == world.person("fanny").ins.value
    assert result.birth_name == "LAVERGNE"
    text = human.seen[0]["text"]
    assert text.startswith("Dans votre DUI, qualifiez l'INS de Fanny Lavergne (née le 2018-03-14)") and "en attente (20 s)" in text
    assert '"action": "qualify_ins"' in log.read_text(encoding="utf-8")


def test_observe_waits_for_the_mss_message_to_the_crip(target: BenchTarget, human: Human) -> None:
    driver = ObserveDriver(human.instructions.put, timeout_s=20)
    driver.open(target)
    world = target.world
    message = OutgoingMessage((world.establishment("crip-93"),), "Information préoccupante", "Bonjour",
                              patient=world.person("fanny"))
    result = driver.send_message(world.professional("ergotherapeute-fanny"), message)
    assert not human.errors
    assert result.accepted == ("crip@cd93.mssante.test",)
    assert "envoyez « Information préoccupante » à CRIP de la Seine-Saint-Denis" in human.seen[0]["text"]


def test_observe_gives_up_with_a_french_message_when_nobody_acts(target: BenchTarget) -> None:
    said: list[dict[str, Any]] = []
    driver = ObserveDriver(said.append, timeout_s=0.6)
    driver.open(target)
    world = target.world
    with pytest.raises(WaitTimeout, match=r"attendu une recherche INSi pour Fanny sur le banc \(session observe-\w+\), rien reçu en 0.6 s"):
        driver.qualify_ins(world.professional("sls-secretaire"), world.person("fanny"))
    assert said and said[0]["action"] == "qualify_ins"


def test_a_report_to_the_judge_expects_no_mss_exchange(target: BenchTarget) -> None:
    driver = ObserveDriver(lambda _i: None, timeout_s=5, grace_s=0.5)
    driver.open(target)
    world = target.world
    result = driver.send_message(world.professional("crip-assistante-sociale"),
                                 OutgoingMessage((world.professional("juge-des-enfants"),), "Rapport", "x"))
    assert result.outside_mss == ("M. Xavier Delmas (juge des enfants)",) and not result.refused


def test_observe_reads_what_the_dmp_showed_to_the_professional(local_bench_dmp: LocalBench) -> None:
    """The human consults Élise's DMP as the MECS psychologist; the driver rebuilds what she saw from
    the ITI-18 answer recorded on the bench (psychological report yes, masked documents no)."""
    target = target_for(local_bench_dmp.admin_url, fresh_session_name("observe-dmp"),
                        credentials=pki_credentials(local_bench_dmp.pki), timeout_s=20)
    human = Human(target)
    world = target.world
    psychologist, elise = world.professional("mecs-psychologue"), world.person("elise")
    human.dui.qualify_ins(world.professional("mecs-secretaire"), elise)

    def play(instruction: dict[str, Any]) -> None:
        human.dui.consult_dmp(psychologist, elise)

    try:
        driver = ObserveDriver(play, timeout_s=20)
        driver.open(target)
        seen = {e.type_code for e in driver.consult_dmp(psychologist, elise)}
    finally:
        human.dui.close()
    assert "83901-9" in seen  # bilan psychologique
    assert "68817-6" not in seen  # bilan de santé: medical, outside a psychologist's habilitations


@pytest.fixture(scope="module")
def local_bench_dmp(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Iterator[LocalBench]:
    bench = start_local_bench(tmp_path_factory.mktemp("observe-dmp"), only=("ins", "dmp"), pki_dir=shared_pki(pytestconfig))
    yield bench
    bench.stop()


def test_observe_lists_the_attachments_the_tester_must_send(target: BenchTarget, human: Human) -> None:
    driver = ObserveDriver(human.instructions.put, timeout_s=20)
    driver.open(target)
    world = target.world
    photo = make_document("photo-plaie", "Irène Bouchard")
    message = OutgoingMessage((world.establishment("crip-93"),), "Photo de plaie", "Bonjour",
                              patient=world.person("irene"), documents=(photo, make_document("ordonnance", "Irène")))
    driver.send_message(world.professional("ergotherapeute-fanny"), message)
    assert not human.errors
    text = human.seen[0]["text"]
    assert "pièces jointes : aucune" not in text
    assert f"{photo.as_attachment().filename} (photo de plaie, image/jpeg)" in text and "(ordonnance, application/pdf)" in text
