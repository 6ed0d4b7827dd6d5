"""A refusal never yields a green report (issue 14, item 2), as a property over every refusal path of
every service, enumerated from the simulators' code rather than by hand."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conformance import checks_refusals
from conformance.checks_refusals import NOT_A_DEFECT, REFUSAL_REQUIREMENTS, requirements_for
from conformance.evaluate import build_report
from conformance.outcomes import Outcome
from conformance.registry import default_registry
from conformance.requirements import load_catalogue
from simulators.core.exchange import Exchange
from simulators.core.refusal import mark_injected, record_refusal
from simulators.ins.faults import FAULTS

ROOT = Path(__file__).resolve().parents[2] / "simulators"
NAMED_CODE_CALLS = {"RegistryFailure": 0, "RegistryErrorItem": 0, "InsiFault": 0, "record_refusal": 1, "_sender": 1}


def refusal_codes_in(*packages: str) -> set[str]:
    """Every refusal code written in these packages: ``reason=`` of protocol errors, the code argument
    of the refusal constructors, and XDS error code literals."""
    codes: set[str] = set()
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and re.fullmatch(r"XDS[A-Z][A-Za-z]+", node.value):
                    codes.add(node.value)
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name != "SoapFault":  # SoapFault(reason=...) is the fault's text, not a code
                    codes.update(kw.value.value for kw in node.keywords if kw.arg == "reason"
                                 and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str))
                index = NAMED_CODE_CALLS.get(name)
                if index is not None and len(node.args) > index and isinstance(node.args[index], ast.Constant) \
                        and isinstance(node.args[index].value, str):
                    codes.add(node.args[index].value)
    return codes


def _constants(files: list[Path]) -> dict[str, str]:
    """Module-level ``NAME = "value"`` string constants (``NOT_IN_TRUST_SPACE = "5.7.1"``)."""
    found: dict[str, str] = {}
    for path in files:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                found.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    return found


def prefixed_codes(files: list[Path], calls: dict[str, tuple[int | str, str, str]]) -> set[str]:
    """Codes passed to refusal constructors: ``calls[name] = (argument index or keyword, prefix, default)``,
    names resolved through module constants; ``default`` when the argument is left out."""
    constants = _constants(files)
    codes: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in calls:
                continue
            where, prefix, default = calls[name]
            if isinstance(where, int):
                arg = node.args[where] if len(node.args) > where else None
            else:
                arg = next((kw.value for kw in node.keywords if kw.arg == where), None)
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                codes.add(prefix + arg.value)
            elif isinstance(arg, ast.Name) and arg.id in constants:
                codes.add(prefix + constants[arg.id])
            elif arg is None and default:
                codes.add(prefix + default)
    return codes


def smtp_reply_codes() -> set[str]:
    """Every definitive SMTP reply written in the MSSanté package (``"550 5.7.1 …"``, ``Refusal(550, "5.7.1"…)``)."""
    files = list((ROOT / "mss").rglob("*.py"))
    codes = prefixed_codes(files, {"Refusal": (1, "smtp.", "")})
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
            match = re.match(r"^(5[0-9]{2})(?: (5\.[0-9]{1,3}\.[0-9]{1,3}))?[ ]", text or "")
            if match:
                codes.add("smtp." + (match[2] or match[1]))
    return codes


def imap_codes() -> set[str]:
    """IMAP refusals: the authenticator's and the PSC token verifier's reasons, the server's own ones."""
    files = list((ROOT / "mss").rglob("*.py"))
    reasons = prefixed_codes(files, {"AuthError": (0, "imap.auth.", ""), "TokenError": (0, "imap.auth.", "")})
    return reasons | {"imap.auth.cleartext", "imap.auth.mechanism", "imap.auth.refused", "imap.command"}


def _ror_codes() -> set[str]:
    from simulators.ror.server import _FAULTS

    files = list((ROOT / "ror").glob("*.py"))
    calls = {"Denied": (2, "fhir.", ""), "SearchError": ("code", "fhir.", "invalid"), "outcome": (2, "fhir.", "invalid"),
             "OAuthError": (1, "oauth.", "")}
    return prefixed_codes(files, calls) | {f"fhir.{code}" for _status, _msg, code, _h in _FAULTS.values()}


def _codec_codes_on_the_dmp_wire() -> set[str]:
    """XML, MTOM, SOAP and ebRIM refusals (simulators/codecs) reach the DMP's faults as they are; the CDA and
    SAML codecs' reasons never do (the DMP turns them into CdaIssue and VihfError codes)."""
    return {c for c in refusal_codes_in("codecs") if not c.startswith(("cda_", "saml_"))}


# Which code reaches each service's exchanges (the DMP records lower layers' reasons as its codes).
SERVICE_CODES = {
    "*": lambda: {c for c in refusal_codes_in("core") if c.startswith("core.")},
    "ins": lambda: refusal_codes_in("ins") | set(FAULTS),
    "dmp": lambda: refusal_codes_in("dmp") | _codec_codes_on_the_dmp_wire(),
    "mss": lambda: smtp_reply_codes() | imap_codes(),
    "psc": lambda: prefixed_codes(list((ROOT / "psc").glob("*.py")), {"OAuthError": (1, "oauth.", "")}),
    "annuaire": lambda: prefixed_codes(list((ROOT / "annuaire").glob("*.py")),
                                       {"operation_outcome": ("code", "fhir.", "invalid"),
                                        "SearchError": ("code", "fhir.", "invalid")}),
    "ror": _ror_codes,
}


def unmapped(service: str, codes: set[str]) -> set[str]:
    known = set(REFUSAL_REQUIREMENTS.get(service, {})) | set(NOT_A_DEFECT.get(service, {}))
    if service != "*":
        known |= set(REFUSAL_REQUIREMENTS["*"]) | set(NOT_A_DEFECT["*"])
    return codes - known


@pytest.mark.parametrize("service", sorted(SERVICE_CODES))
def test_every_refusal_code_in_the_code_maps_to_requirements(service: str) -> None:
    codes = SERVICE_CODES[service]()
    assert unmapped(service, codes) == set()


def test_the_walk_finds_the_known_refusal_paths_and_the_test_fails_on_a_new_one() -> None:
    dmp = SERVICE_CODES["dmp"]()
    assert {"XDSPatientIdDoesNotMatch", "XDSNonIdenticalHash", "vihf_tls_mismatch", "xop_href_invalid",
            "doctype"} <= dmp
    assert {"siram_100", "bench_contexte", "desir_560"} <= SERVICE_CODES["ins"]()
    assert {"core.too_large", "core.internal"} <= SERVICE_CODES["*"]()
    assert {"smtp.5.7.1", "smtp.5.1.1", "smtp.5.3.4", "smtp.5.7.8", "smtp.538"} <= SERVICE_CODES["mss"]()
    assert {"fhir.login", "fhir.security", "fhir.invalid", "oauth.invalid_client"} <= SERVICE_CODES["ror"]()
    assert {"fhir.security", "fhir.forbidden"} <= SERVICE_CODES["annuaire"]()
    assert {"oauth.invalid_grant"} <= SERVICE_CODES["psc"]()
    assert unmapped("dmp", dmp | {"XDSBrandNewError"}) == {"XDSBrandNewError"}


def test_every_mapped_requirement_is_in_the_catalogue() -> None:
    catalogue = load_catalogue()
    for requirement_id in checks_refusals.cited_requirements():
        assert catalogue.get(requirement_id) is not None, requirement_id


def _refused(service: str, code: str, message: str = "valeur refusée : attendu A, obtenu B", **kw) -> Exchange:
    exchange = Exchange(session="s", service=service, operation="op", started_at=1.0, status=500, method="POST",
                        path="/x", request_headers={"Content-Type": "text/xml"}, request_body=b"<x/>", **kw)
    record_refusal(exchange.summary, code, message)
    return exchange


def _failed(exchanges: list[Exchange]) -> dict[str, list[str]]:
    report = build_report(session="s", exchanges=exchanges, registry=default_registry(), catalogue=load_catalogue(),
                          now=1.0)
    return {v.requirement.id: [r.message for r in v.results if r.outcome is Outcome.FAIL and r.check.startswith("refus.")]
            for v in report.requirements if v.outcome is Outcome.FAIL}


@pytest.mark.parametrize("service", ["ins", "dmp", "mss", "psc", "annuaire", "ror"])
def test_property_every_dui_refusal_fails_its_requirements_with_the_diagnosis(service: str) -> None:
    for code in sorted(SERVICE_CODES[service]() | SERVICE_CODES["*"]()):
        expected = requirements_for(service, code, "attendu A, obtenu B")
        failed = _failed([_refused(service, code)])
        if not expected:
            assert not any(failed.values()), (code, failed)
            continue
        for requirement_id in expected:
            assert failed.get(requirement_id), (code, requirement_id, failed)
            assert any("attendu A, obtenu B" in m and code in m for m in failed[requirement_id]), failed


def test_an_injected_fault_is_marked_and_never_held_against_the_dui() -> None:
    exchange = _refused("dmp", "XDSPatientIdDoesNotMatch")
    mark_injected(exchange.summary, "registry_error")
    assert exchange.summary["refusal"]["origin"] == "injected"
    assert not any(_failed([exchange]).values())
    labelled = _refused("dmp", "XDSPatientIdDoesNotMatch", fault="fault:registry_error")
    assert not any(_failed([labelled]).values())
    bench_bug = _refused("ins", "bench_interne")
    assert not any(_failed([bench_bug]).values())


def test_an_unknown_refusal_code_still_fails_the_generic_requirement() -> None:
    assert requirements_for("ror", "never-seen") == ("bench@6",)
    assert _failed([_refused("ror", "never-seen")]).get("bench@6")


def test_a_code_covering_several_requirements_is_narrowed_by_the_message() -> None:
    assert requirements_for("ins", "bench_contexte", "en-tête ctxbam:ContexteBAM absent") == ("insi@5",)
    assert requirements_for("ins", "bench_contexte", "en-tête wsa:MessageID absent") == ("insi@3",)


def test_a_real_ror_refusal_is_recorded_and_judged_in_process(tmp_path) -> None:
    """End to end in the in-process mode: no bearer token -> 401 OperationOutcome -> ror@2 fails."""
    import requests

    from conformance.inprocess import InProcessBench

    with InProcessBench(tmp_path, services=("ror",)) as bench:
        reply = requests.get("https://bas-api-fhir.qualif.ror.esante.gouv.fr/ws-diffusion-fhir/HealthcareService",
                             timeout=10)
        assert reply.status_code == 401
        bench.runtime.journal.flush()
        [exchange] = bench.exchanges("ror")
    assert exchange.summary["refusal"]["code"] == "fhir.login" and exchange.summary["refusal"]["origin"] == "dui"
    assert exchange.summary["refusal"]["requirements"] == ["ror@2"]  # completed by the live checker
    assert [v.outcome for v in exchange.verdicts if v.check == "refus.ror@2"] == ["fail"]
    assert _failed([exchange]).get("ror@2")


def test_the_html_report_shows_the_refusal_and_who_is_to_blame() -> None:
    from conformance.reporters import all_reporters

    dui = _refused("dmp", "XDSPatientIdDoesNotMatch")
    injected = _refused("dmp", "XDSRegistryError")
    mark_injected(injected.summary, "registry_error")
    report = build_report(session="s", exchanges=[dui, injected], registry=default_registry(),
                          catalogue=load_catalogue(), now=1.0)
    page = all_reporters()["html"].render(report)
    assert "Refus du simulateur : <code>XDSPatientIdDoesNotMatch</code>" in page
    assert "imputable au logiciel testé" in page and "défaut injecté par le banc, non imputable au logiciel" in page


def test_a_fault_injected_by_the_engine_is_marked_and_not_held_against_the_dui(tmp_path) -> None:
    """End to end: an "error" rule of the fault engine on the ROR; whatever the simulator would have
    refused, the answer is the injected fault's, marked so, and ror@2 is not failed."""
    import requests

    from conformance.inprocess import InProcessBench
    from simulators.core.faults import FaultRule

    with InProcessBench(tmp_path, services=("ror",)) as bench:
        bench.runtime.faults.add(FaultRule(kind="error", service="ror"))
        reply = requests.get("https://bas-api-fhir.qualif.ror.esante.gouv.fr/ws-diffusion-fhir/HealthcareService",
                             timeout=10)
        assert reply.status_code == 503
        bench.runtime.journal.flush()
        [exchange] = bench.exchanges("ror")
    assert exchange.fault and exchange.summary["refusal"]["origin"] == "injected"
    assert exchange.summary["refusal"]["requirements"] == []
    assert not [v for v in exchange.verdicts if v.check.startswith("refus.") and v.outcome == "fail"]
    assert not _failed([exchange]).get("ror@2")
