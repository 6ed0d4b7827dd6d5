"""Seeded protocol-hygiene defects (``bench@``, every service): malformed HTTP, missing Content-Type, bursts of
identical requests, immediate retry after a service error (an injected 503 included: the DUI must back off
whatever the cause)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from tests.conformance.defects import test_annuaire_defects as annuaire
from tests.conformance.defects import test_ins_defects as ins
from tests.conformance.defects import test_ror_defects as ror
from tests.conformance.defects.harness import DefectBench, assert_caught


def directory_kit(bench: DefectBench) -> annuaire.Kit:
    return annuaire.Kit(bench)


def unknown_parameter(bench: DefectBench, session: str) -> None:
    kit = ror.Kit(bench)
    kit.get(session, "HealthcareService", [("categorie", "177")])


def method_not_allowed(bench: DefectBench, session: str) -> None:
    kit = directory_kit(bench)
    kit.get(session, "PractitionerRole", {}, method="PATCH")


def no_content_type(bench: DefectBench, session: str) -> None:
    kit = ins.Kit(bench)
    kit.post(session, ins.ELISE, lambda body, ctype: (body, ""))


def no_content_type_directory_post(bench: DefectBench, session: str) -> None:
    kit = directory_kit(bench)
    requests.post(f"{kit.base(session)}/PractitionerRole/_search", data=f"mailbox-mss={kit.reader}".encode(),
                  headers={"ESANTE-API-KEY": annuaire.API_KEY, "Content-Type": ""},
                  verify=bench.credentials.trust_bundle, timeout=30)


def identical_burst(bench: DefectBench, session: str) -> None:
    kit = directory_kit(bench)
    for _ in range(4):
        kit.get(session, "PractitionerRole", {"mailbox-mss": kit.reader})


def identical_insi_burst(bench: DefectBench, session: str) -> None:
    """A retry loop that re-posts the very same bytes (same MessageID, same context ids)."""
    kit = ins.Kit(bench)
    first: dict[str, tuple[bytes, str]] = {}
    for _ in range(4):
        kit.post(session, ins.ELISE, lambda body, ctype: first.setdefault("request", (body, ctype)))


def retry_after_injected_error(bench: DefectBench, session: str) -> None:
    requests.post(f"{bench.admin_url}/_bench/faults", json={"kind": "error", "service": "annuaire",
                                                           "session": session, "max_hits": 1}, timeout=10)
    kit = directory_kit(bench)
    kit.get(session, "PractitionerRole", {"mailbox-mss": kit.reader})
    kit.get(session, "PractitionerRole", {"mailbox-mss": kit.reader})


def retry_after_insi_fault(bench: DefectBench, session: str) -> None:
    kit = ins.Kit(bench)
    kit.post(session, ins.COEUR)
    kit.post(session, ins.COEUR)


DEFECTS: list[tuple[str, str, Callable[[DefectBench, str], None]]] = [
    ("parametre-inconnu-400", "bench@2", unknown_parameter),
    ("methode-non-permise-405", "bench@2", method_not_allowed),
    ("sans-content-type-insi", "bench@3", no_content_type),
    ("sans-content-type-post-search", "bench@3", no_content_type_directory_post),
    ("rafale-identique-annuaire", "bench@4", identical_burst),
    ("rafale-identique-insi", "bench@4", identical_insi_burst),
    ("relance-immediate-apres-503-injecte", "bench@5", retry_after_injected_error),
    ("relance-immediate-apres-faute-insi", "bench@5", retry_after_insi_fault),
]


@pytest.mark.parametrize(("name", "expected", "defect"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_bench_defect_is_caught(defect_bench: DefectBench, request: pytest.FixtureRequest, name: str, expected: str,
                                defect) -> None:
    session = defect_bench.session("banc")
    defect(defect_bench, session)
    assert_caught(request.node, defect_bench, session, service="bench", defect=name, expected=expected)
