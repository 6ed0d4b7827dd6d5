"""The committed samples and guides: every operation a service handles has a sample, every guide shows exactly
the committed samples, the error shapes the guides promise are there. Fast: no bench (see test_rerecord.py)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from simulators import examples
from simulators.examples import Sample, body_shape, curl, shape
from simulators.examples.record import GUIDES, render_section
from simulators.mss.client import xoauth2
from tests.docs.operations import handled_operations

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SECRET = r"auth=Bearer eyJ|dXNlcj"  # an XOAUTH2 string, plain or base64 ("user=" in base64)
BEGIN, END = "<!-- samples:begin -->", "<!-- samples:end -->"


def all_samples() -> list[Sample]:
    return [s for service in examples.services() for s in examples.samples(service)]


def generated_section(text: str) -> str:
    assert BEGIN in text and END in text, "markers <!-- samples:begin --> / <!-- samples:end --> absent"
    return text[text.index(BEGIN) + len(BEGIN) + 1: text.index(END)]


def missing_operations(samples: list[Sample]) -> dict[str, list[str]]:
    operations, unexpanded = handled_operations()
    assert not unexpanded, f"operation names the coverage test cannot expand: {unexpanded}"
    shown = {(s.service, s.operation) for s in samples}
    return {service: sorted(op for op in ops if (service, op) not in shown)
            for service, ops in operations.items() if any((service, op) not in shown for op in ops)}


def test_nothing_was_left_unrecorded() -> None:
    assert examples.index()["missing"] == {}, "python -m simulators.examples could not record these steps"


def test_every_operation_a_service_handles_has_a_sample() -> None:
    assert missing_operations(all_samples()) == {}


def test_the_coverage_test_fails_when_an_operation_loses_its_sample() -> None:
    samples = all_samples()
    without = [s for s in samples if not (s.service == "dmp" and s.operation == "ITI-43")]
    assert missing_operations(without) == {"dmp": ["ITI-43"]}
    without = [s for s in samples if not (s.service == "ror" and s.operation.startswith("export"))]
    assert missing_operations(without) == {"ror": ["export", "export-file", "export-poll"]}


def test_insi_both_operations_in_both_profiles() -> None:
    ins = examples.samples("ins")
    for operation in ("rechercherInsAvecTraitsIdentite", "rechercherInsAvecCarteVitale"):
        profiles = {s.client_cert or "cpx" for s in ins if s.operation == operation and s.status == 200}
        assert profiles == {"insi-auto", "cpx"}, operation


@pytest.mark.parametrize(("service", "mark"), [
    ("ins", "<soap:Fault"), ("dmp", ":Fault>"), ("dmp", "RegistryError "), ("dmp", 'typeCode="AE"'),
    ("mss", "535 5.7.8"), ("mss", "550 5.7.1"), ("psc", '"invalid_grant"'), ("psc", '"unsupported_grant_type"'),
    ("annuaire", '"OperationOutcome"'), ("ror", '"OperationOutcome"'), ("ror", '"invalid_client"'),
])
def test_each_error_shape_the_guides_promise_has_a_sample(service: str, mark: str) -> None:
    assert any(mark in s.response_body for s in examples.samples(service)), f"{service}: no sample with {mark}"


@pytest.mark.parametrize(("service", "guide"), sorted(GUIDES.items()))
def test_each_guide_shows_exactly_the_committed_samples(service: str, guide: str) -> None:
    text = (DOCS / f"{guide}.md").read_text(encoding="utf-8")
    expected = render_section(examples.samples(service))
    assert generated_section(text) == expected, f"docs/{guide}.md is stale: run python -m simulators.examples"


def test_a_guide_edited_by_hand_is_detected() -> None:
    text = (DOCS / "insi.md").read_text(encoding="utf-8")
    edited = text.replace("<CodeCR>00</CodeCR>", "<CodeCR>99</CodeCR>", 1)
    assert edited != text
    assert generated_section(edited) != render_section(examples.samples("ins"))


def test_the_docs_index_links_every_guide_and_the_readme_links_the_docs() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for guide in GUIDES.values():
        assert f"]({guide}.md)" in index
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = readme[: readme.index("## What it is")]
    assert "docs/README.md" in first_screen
    point = readme[readme.index("## Point a DUI at the bench"): readme.index("### Sessions")]
    assert "docs/" in point


def test_samples_hold_no_secret() -> None:
    for s in all_samples():
        headers = {k.lower(): v for k, v in s.request_headers.items()}
        assert headers.get("authorization", "Bearer <jeton>") == "Bearer <jeton>", s.name
        assert not re.search(SECRET, s.request_body), s.name


def test_the_secret_check_catches_a_real_xoauth2_string() -> None:
    raw = xoauth2("helene.marchetti@paramedical.mssante.test", "eyJhbGciOiJFUzI1NiJ9.e30.c2ln")
    for leaked in (raw.decode(), base64.b64encode(raw).decode()):
        assert re.search(SECRET, leaked)
    transcript = examples.sample("mss", "transcription-smtp")
    assert transcript is not None and "AUTH XOAUTH2 <base64 de" in transcript.request_body


def test_shape_ignores_values_but_not_structure() -> None:
    sample = examples.samples("ror")[0]
    same = Sample.from_json({**sample.as_json(), "response_body": sample.response_body.replace("a", "b")})
    assert shape(same) == shape(sample)
    moved = Sample.from_json({**sample.as_json(), "status": 500})
    assert shape(moved) != shape(sample)
    assert body_shape('{"a": {"b": 1}}') == [".a", ".a.b"]
    assert body_shape("<x><y/></x>") == ["/x", "/x/y"]
    assert body_shape("From: a\r\nX-MSS-NIL: n\r\n\r\ntext") == ["header:from", "header:x-mss-nil"]


def test_curl_names_the_certificate_of_mutual_tls_and_the_service_port() -> None:
    by_name = {s.name: s for s in examples.samples("ins")}
    mtls, cpx = curl(by_name["insi-traits-mtls"]), curl(by_name["insi-traits-cpx"])
    assert "--cert .socle-bench/pki/certs/insi-auto.chain.pem" in mtls and "https://localhost:8443/" in mtls
    assert "--cert" not in cpx and "https://localhost:8448/" in cpx
    assert curl(examples.samples("mss")[0]) == ""


def test_sample_files_are_valid_json_with_known_fields() -> None:
    fields = set(Sample.__dataclass_fields__)
    for path in (ROOT / "simulators" / "examples" / "data").glob("*/*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert set(data) <= fields and data["service"] == path.parent.name and data["name"] == path.stem
