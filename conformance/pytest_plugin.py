"""pytest plugin (entry point ``pytest11``): the bench, the world, a DUI driver and the conformance report.

Options: ``--bench-url`` (a running bench, e.g. docker; default: one started in-process on
ephemeral ports, with TLS from a throw-away PKI), ``--bench-pki`` (that bench's PKI directory, for
client certificates), ``--bench-session`` (default: a fresh session per run), ``--dui reference |
observe | package.module:Driver``, and where to write the conformance report of the run
(``--conformance-junit/-html/-json``; by default next to pytest's ``--junitxml`` when given).

Nothing starts unless a test asks for a fixture, so the plugin costs nothing to unrelated tests.
Under xdist each worker has its own session (``<session>-gw0``...) and, in-process, its own bench;
workers hand their exchanges to the controller, which writes one report for the run.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conformance.drivers import load_driver
from conformance.drivers.judge import judge, judge_run
from conformance.drivers.local_bench import (
    credentials_from_dir,
    DEFAULT_SEED,
    pki_credentials,
    start_local_bench,
    target_for,
)
from conformance.drivers.observe import jsonl_notifier
from conformance.drivers.probe import BenchProbe
from conformance.reporters import all_reporters
from simulators.core.exchange import Exchange

if TYPE_CHECKING:  # the plugin loads with every pytest run: the bench is imported only when used
    from simulators.core.exchange import Exchange

    from conformance.drivers.base import BenchTarget, DuiDriver
    from conformance.drivers.probe import BenchProbe

MARKERS = {
    "insi": "parcours : étapes qui utilisent le téléservice INSi (exigences insi@)",
    "dmp": "parcours : étapes qui utilisent le DMP (exigences dmp@)",
    "mss": "parcours : étapes qui utilisent la messagerie MSSanté (exigences mss@)",
    "annuaire": "parcours : étapes qui utilisent l'Annuaire santé (exigences annuaire@)",
    "ror": "parcours : étapes qui utilisent le ROR (exigences ror@)",
    "parcours": "parcours d'usagers (features Gherkin)",
    "fanny": "parcours de Fanny", "elliot": "parcours d'Elliot", "elise": "parcours d'Élise",
}


def journey_markers() -> dict[str, str]:
    """Sector, journey and person tags of the shipped features (features/catalog.py), registered so that
    ``@daniel`` or ``@pa`` never raise an unknown-mark warning."""
    try:
        from features.catalog import markers  # optional: features/ (a vendor may install the plugin without it)
    except ImportError:  # the plugin installed without the shipped features
        return {}
    return markers()
STATE_KEY = pytest.StashKey["RunState"]()
MODULE = "conformance.pytest_plugin"
WORKER_DIR = "socle_bench_exchanges_dir"


@dataclass
class RunState:
    session: str
    exchanges: list[Exchange] = field(default_factory=list)
    exchanges_dir: str = ""
    source: str = ""
    used: bool = False
    summary: str = ""  # counts of the written report, for the terminal summary
    written: list[str] = field(default_factory=list)


def plugin_args() -> list[str]:
    """``["-p", MODULE]`` unless an installed ``pytest11`` entry point already loads this plugin."""
    from importlib.metadata import entry_points

    if any(ep.value.split(":")[0] == MODULE for ep in entry_points(group="pytest11")):
        return []
    return ["-p", MODULE]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("socle-bench", "socle-bench : parcours et conformité d'un DUI")
    group.addoption("--bench-url", default=os.environ.get("SOCLE_BENCH_URL"),
                    help="URL d'administration d'un banc déjà démarré (ex. http://127.0.0.1:8080) ; "
                         "par défaut un banc est démarré dans le processus")
    group.addoption("--bench-pki", default=os.environ.get("SOCLE_BENCH_PKI"),
                    help="répertoire de la PKI de ce banc (certificats clients du DUI de référence)")
    group.addoption("--bench-session", default=None,
                    help="session du banc à utiliser (défaut : une session neuve par exécution)")
    group.addoption("--bench-seed", type=int, default=None, help="graine du monde du banc (défaut 20261122)")
    group.addoption("--dui", default="reference",
                    help="pilote du DUI : reference, observe ou paquet.module:Classe (défaut reference)")
    group.addoption("--dui-timeout", type=float, default=120.0,
                    help="attente maximale (s) d'une action humaine avec --dui observe (défaut 120)")
    group.addoption("--observe-log", default=None,
                    help="fichier JSON Lines où écrire les consignes du pilote observe (pour un automate)")
    for fmt in ("junit", "html", "json"):
        group.addoption(f"--conformance-{fmt}", default=None, metavar="CHEMIN",
                        help=f"rapport de conformité {fmt.upper()} de l'exécution")


def pytest_configure(config: pytest.Config) -> None:
    for name, text in {**journey_markers(), **MARKERS}.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    base = config.getoption("bench_session") or _fresh_session()
    workerinput = getattr(config, "workerinput", None)
    state = RunState(session=base)
    if workerinput is not None:
        state.session = f"{workerinput.get('socle_bench_session', base)}-{workerinput['workerid']}"
        state.exchanges_dir = workerinput.get(WORKER_DIR, "")
    config.stash[STATE_KEY] = state


def _fresh_session() -> str:
    import secrets

    return f"pytest-{secrets.token_hex(4)}"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: one session base name and one directory for the workers' exchanges."""
    state = node.config.stash[STATE_KEY]
    if not state.exchanges_dir:
        state.exchanges_dir = tempfile.mkdtemp(prefix="socle-bench-run-")
    node.workerinput["socle_bench_session"] = state.session
    node.workerinput[WORKER_DIR] = state.exchanges_dir


# --- fixtures ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def bench_target(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BenchTarget]:
    """The bench of this run and its session: the running one of --bench-url, else an in-process one."""
    state: RunState = pytestconfig.stash[STATE_KEY]
    seed = pytestconfig.getoption("bench_seed") or DEFAULT_SEED
    timeout = pytestconfig.getoption("dui_timeout")
    url = pytestconfig.getoption("bench_url")
    local = None
    if url:
        target = target_for(url, state.session, seed=seed, timeout_s=timeout,
                            credentials=credentials_from_dir(pytestconfig.getoption("bench_pki")))
    else:
        local = start_local_bench(tmp_path_factory.mktemp("socle-bench"), seed=seed,
                                  pki_dir=_shared_pki_dir(pytestconfig, tmp_path_factory))
        target = target_for(local.admin_url, state.session, seed=seed, timeout_s=timeout,
                            credentials=pki_credentials(local.pki) if local.pki else None)
    state.used = True
    state.source = target.admin_url
    try:
        yield target
    finally:
        try:
            state.exchanges = BenchProbe(target.admin_url, target.session).exchanges(bodies=True)
        finally:
            if local is not None:
                local.stop()


def _shared_pki_dir(config: pytest.Config, factory: pytest.TempPathFactory) -> Path:
    """One test PKI for every run and worker: RSA keys are slow to make and the PKI is only test
    material. pytest's cache directory (or $SOCLE_BENCH_PKI_CACHE) keeps it between runs; Pki.init is
    idempotent under a file lock."""
    if os.environ.get("SOCLE_BENCH_PKI_CACHE"):
        return Path(os.environ["SOCLE_BENCH_PKI_CACHE"])
    cache = getattr(config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("socle-bench-pki"))
    return factory.getbasetemp().parent / "socle-bench-pki"


@pytest.fixture(scope="session")
def socle_world(bench_target: BenchTarget) -> Any:
    """The world the simulators seeded themselves from (personas, professionals, establishments)."""
    return bench_target.world


@pytest.fixture(scope="session")
def bench_probe(bench_target: BenchTarget) -> BenchProbe:
    return BenchProbe(bench_target.admin_url, bench_target.session)


@pytest.fixture(scope="session")
def dui(pytestconfig: pytest.Config, bench_target: BenchTarget) -> Iterator[DuiDriver]:
    """The DUI under test, opened on the bench session (``--dui``)."""
    spec = pytestconfig.getoption("dui")
    kwargs: dict[str, Any] = {}
    if spec == "observe":
        kwargs["notify"] = _observe_notifier(pytestconfig)
    driver = load_driver(spec, **kwargs)
    driver.open(bench_target)
    try:
        yield driver
    finally:
        driver.close()


def _observe_notifier(config: pytest.Config) -> Any:
    log_path = config.getoption("observe_log")
    to_file = jsonl_notifier(log_path) if log_path else None

    def notify(instruction: dict[str, Any]) -> None:
        if to_file is not None:
            to_file(instruction)
        capture = config.pluginmanager.getplugin("capturemanager")
        writer = config.get_terminal_writer()
        if capture is not None:
            with capture.global_and_fixture_disabled():
                writer.line(f"\n>>> {instruction['text']}", yellow=True, bold=True)
        else:
            writer.line(f">>> {instruction['text']}")
    return notify


@pytest.fixture
def conformance_report(bench_probe: BenchProbe) -> Any:
    """``judge(services=None, after="")``: the conformance report of the session's exchanges so far."""
    def run(services: list[str] | None = None, after: str = "") -> Any:
        exchanges = bench_probe.exchanges(after=after or None, bodies=True)
        if services:
            exchanges = [e for e in exchanges if e.service in services]
        return judge(exchanges, session=bench_probe.session, services=services, source=bench_probe.admin_url)
    return run


# --- end of run: the conformance report next to pytest's own ------------------------------------------
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state: RunState = config.stash[STATE_KEY]
    if hasattr(config, "workerinput"):
        if state.used and state.exchanges_dir:
            path = Path(state.exchanges_dir) / f"{config.workerinput['workerid']}.jsonl"
            _write_jsonl(path, state.exchanges)
        return
    exchanges = list(state.exchanges)
    if state.exchanges_dir:
        for path in sorted(Path(state.exchanges_dir).glob("*.jsonl")):
            exchanges.extend(Exchange.from_json(json.loads(line)) for line in path.read_text("utf-8").splitlines() if line)
    targets = _report_paths(config)
    if not exchanges or not targets:
        state.exchanges = exchanges
        return

    report = judge_run(exchanges, session=state.session, source=state.source or "pytest")
    reporters = all_reporters()
    for fmt, target in targets.items():
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(reporters[fmt].render(report), encoding="utf-8")
    state.summary = ", ".join(f"{status} {n}" for status, n in report.counts().items() if n)
    state.written = [str(p) for p in targets.values()]


def _write_jsonl(path: Path, exchanges: list[Exchange]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for exchange in exchanges:
            handle.write(json.dumps(exchange.to_json(), ensure_ascii=False) + "\n")


def _report_paths(config: pytest.Config) -> dict[str, str]:
    paths = {fmt: config.getoption(f"conformance_{fmt}") for fmt in ("junit", "html", "json")}
    paths = {fmt: p for fmt, p in paths.items() if p}
    junitxml = getattr(config.option, "xmlpath", None)
    if not paths and junitxml:
        folder = Path(junitxml).parent
        paths = {"junit": str(folder / "conformance-junit.xml"), "html": str(folder / "conformance.html"),
                 "json": str(folder / "conformance.json")}
    return paths


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state: RunState = config.stash[STATE_KEY]
    if hasattr(config, "workerinput") or not state.written:
        return
    terminalreporter.write_sep("-", "socle-bench : rapport de conformité")
    terminalreporter.write_line(f"session {state.session} — exigences par statut : {state.summary}")
    terminalreporter.write_line(f"rapports : {', '.join(state.written)}")
