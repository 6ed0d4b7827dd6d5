"""insi@ checks: the reference client passes, a deliberately faulty client is caught with the right
requirement ids (real exchanges recorded by the bench)."""

from __future__ import annotations

import re

import requests

from conformance import checks_ins
from conformance.coverage import coverage
from conformance.evaluate import evaluate
from conformance.outcomes import Outcome
from conformance.registry import CheckRegistry, default_registry
from conformance.requirements import load_catalogue
from simulators.core.bench import Bench
from simulators.core.journal import ExchangeQuery
from simulators.core.pki import Pki
from simulators.core.tls import requests_cert, requests_verify
from simulators.ins.client import InsiClient
from simulators.ins.client_codec import LpsIdentity, build_request
from simulators.ins.model import TraitsQuery
from tests.ins.conftest import session_url
from tests.ins.helpers import ZOE, post

CATALOGUE = load_catalogue()


def _verdicts(bench: Bench, session: str, **limits) -> dict[str, set[str]]:
    exchanges = bench.runtime.journal.query(ExchangeQuery(session=session))
    results = evaluate(exchanges, CheckRegistry(checks_ins.checks(**limits)), CATALOGUE)
    by_outcome: dict[str, set[str]] = {}
    for result in results:
        for requirement in result.requirements:
            by_outcome.setdefault(result.outcome.value, set()).add(requirement)
    return by_outcome


def test_every_wire_observable_insi_requirement_has_a_check() -> None:
    report = coverage(default_registry(), CATALOGUE, ["ins"])  # insi@18 lives in checks_official
    assert not report.unknown_citations
    assert [c.requirement.id for c in report.gaps() if c.requirement.id.startswith("insi@")] == []


def test_reference_client_over_mtls_passes_every_check(tls_bench: Bench, pki: Pki) -> None:
    client = InsiClient(session_url(tls_bench, "ref-client"), cert=requests_cert(pki, "insi-auto"),
                        verify=requests_verify(pki))
    assert client.search_traits("De Vinci", "Léonardo Piero", "M", "2014-02-01").cr == "00"
    assert client.search_traits("Tchitchi", "Ola", "F", "1936-06-21").cr == "01"
    assert client.search_traits("Tchitchi", "Ola", "F", "1936-06-21").cached
    assert client.search_vitale("", matricule_individu="275126322074974").cr == "00"
    verdicts = _verdicts(tls_bench, "ref-client")
    assert "fail" not in verdicts and "error" not in verdicts
    assert {"insi@1", "insi@2", "insi@3", "insi@4", "insi@5", "insi@6", "insi@7", "insi@8", "insi@9", "insi@14",
            "insi@17"} <= verdicts["pass"]


def _faulty(url: str, query: TraitsQuery, **replace: bytes) -> bytes:
    body = build_request(query, LpsIdentity(idam="DUI-FAUTIF"))[0]
    for old, new in replace.items():
        body = body.replace(old.encode(), new)
    post(url, body)
    return body


def test_faulty_client_is_caught_with_the_right_requirement_ids(http_bench: Bench) -> None:
    url = session_url(http_bench, "faulty")
    action = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
    _faulty(url, ZOE, **{action: b"urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale"})
    _faulty(url, TraitsQuery("adrün", ("zoé",), "F", "1975-12-31"))
    body = build_request(ZOE, LpsIdentity())[0]
    post(url, body[:body.index(b"<ctxbam:ContexteBAM")] + body[body.index(b"</ctxbam:ContexteBAM>") + 21:])
    reused = build_request(TraitsQuery("NESSI", ("MICHELANGELO",), "M", "2010-08-07"), LpsIdentity(),
                           message_id="uuid:00000000-0000-4000-8000-000000000001")[0]
    post(url, reused)
    post(url, reused)
    _faulty(url, TraitsQuery("DE VINCI", ("LEONARDO",), "M", "2014-02-01"))  # 02, then nothing
    _faulty(url, ZOE, **{"uuid:": b"urn:uuid:"})
    failed = _verdicts(http_bench, "faulty")["fail"]
    assert {"insi@2", "insi@3", "insi@5", "insi@7", "insi@9"} <= failed
    assert "insi@4" not in failed and "insi@8" not in failed


def test_wrong_retry_after_02_and_repeats_after_01(http_bench: Bench) -> None:
    url = session_url(http_bench, "retry")
    leonardo = TraitsQuery("DE VINCI", ("LEONARDO",), "M", "2014-02-01")
    _faulty(url, leonardo)
    _faulty(url, TraitsQuery("DE VINCI", ("ANDREA",), "M", "2014-02-01"))  # replaces instead of adding
    ola = TraitsQuery("TCHITCHI", ("OLA",), "F", "1936-06-21")
    _faulty(url, ola)
    _faulty(url, ola)
    failed = _verdicts(http_bench, "retry")["fail"]
    assert {"insi@9", "insi@17"} <= failed


def test_bulk_calls_and_fault_loops(http_bench: Bench) -> None:
    url = session_url(http_bench, "bulk")
    for day in range(1, 6):
        _faulty(url, TraitsQuery("ADRUN", ("ZOE",), "F", f"1975-12-{day:02d}"))
    assert "insi@14" in _verdicts(http_bench, "bulk", bulk_per_minute=3)["fail"]
    assert "insi@14" in _verdicts(http_bench, "bulk")["pass"]
    requests.post(http_bench.admin_url + "/_bench/faults", timeout=10,
                  json={"kind": "fault", "service": "ins", "session": "loop", "fault": "insi_102"})
    loop_url = session_url(http_bench, "loop")
    for _ in range(5):
        _faulty(loop_url, ZOE)
    assert "insi@15" in _verdicts(http_bench, "loop")["fail"]


def test_live_checks_run_on_the_journal_write_path(tmp_path) -> None:
    from conformance.live import make_live_checker
    from simulators.ins.server import InsSimulator
    from tests.conftest import make_config

    checker = make_live_checker(CheckRegistry(checks_ins.checks()), CATALOGUE)
    with Bench(make_config(tmp_path), [InsSimulator()], live_checker=checker) as bench:
        _faulty(session_url(bench, "live"), TraitsQuery("adrun", ("ZOE",), "F", "1975-12-31"))
        (exchange,) = bench.runtime.journal.query(ExchangeQuery(session="live"))
    outcomes = {v.check: v.outcome for v in exchange.verdicts}
    assert outcomes["ins.traits-normalised"] == "fail" and outcomes["ins.contexte-lps"] == "pass"
    assert outcomes["ins.authentication"] == "skip"


def test_used_name_instead_of_birth_name_is_caught(http_bench: Bench) -> None:
    from simulators.ins.seed import world_persons

    mother = next(p for p in world_persons(http_bench.runtime.config.seed) if p.id == "fanny-mere")
    url = session_url(http_bench, "usage-name")
    _faulty(url, TraitsQuery(mother.nom_usage, mother.prenoms[:1], mother.sexe, mother.date_naissance))
    _faulty(url, TraitsQuery(mother.nom_naissance, mother.prenoms[:1], mother.sexe, mother.date_naissance))
    exchanges = http_bench.runtime.journal.query(ExchangeQuery(session="usage-name"))
    results = [r for r in evaluate(exchanges, CheckRegistry(checks_ins.checks()), CATALOGUE)
               if r.check == "ins.traits-normalised"]
    assert [r.outcome for r in results] == [Outcome.FAIL, Outcome.PASS]
    assert "nom d'usage 'LAVERGNE'" in results[0].message


def test_bulk_limit_comes_from_the_session_option(http_bench: Bench) -> None:
    created = requests.post(http_bench.admin_url + "/_bench/sessions", timeout=10,
                            json={"name": "bulk-session", "options": {"ins.bulk_per_minute": 2}})
    assert created.status_code == 201, created.text
    url = session_url(http_bench, "bulk-session")
    for day in range(1, 4):
        _faulty(url, TraitsQuery("ADRUN", ("ZOE",), "F", f"1975-12-{day:02d}"))
    exchanges = http_bench.runtime.journal.query(ExchangeQuery(session="bulk-session"))
    assert {e.summary["bulk_limit"] for e in exchanges} == {2}
    assert "insi@14" in _verdicts(http_bench, "bulk-session")["fail"]


def test_action_in_the_soap12_content_type_is_enough_for_insi_2(http_bench: Bench) -> None:
    """A stub generated from the official WSDL 1.5.0 (zeep, .NET) sends the action as the SOAP 1.2 media-type
    parameter, not as a wsa:Action header (the WSDL declares no Action header part): the simulator of the real
    service answers it, so insi@2 does not fail it; no action at all is still the defect."""
    url = session_url(http_bench, "stub-action")
    body, action, _ = build_request(ZOE, LpsIdentity())
    bare = re.sub(rb"<wsa:Action[^>]*>[^<]*</wsa:Action>", b"", body, count=1)
    assert post(url, bare, f'application/soap+xml;charset=UTF-8;action="{action}"').status_code == 200
    post(session_url(http_bench, "no-action"), bare, "application/soap+xml;charset=UTF-8")
    http_bench.runtime.journal.flush()
    assert "insi@2" not in _verdicts(http_bench, "stub-action").get("fail", set())
    assert "insi@2" in _verdicts(http_bench, "no-action").get("fail", set())
