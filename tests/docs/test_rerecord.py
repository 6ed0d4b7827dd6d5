"""The samples are re-recorded from a real bench and compared, by shape, with the committed ones: a change of
the bench that alters what a vendor sees (status, header names, element or key paths, an operation appearing
or disappearing) fails here with the list of what changed, until `python -m simulators.examples` is re-run."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from simulators import examples
from simulators.examples import Sample, shape
from simulators.examples.record import record

ROOT = Path(__file__).resolve().parents[2]


def drift(committed: list[Sample], recorded: list[Sample]) -> list[str]:
    """Human-readable differences between two recordings, by sample key and shape field."""
    old = {f"{s.service}/{s.name}": shape(s) for s in committed}
    new = {f"{s.service}/{s.name}": shape(s) for s in recorded}
    lines = [f"new sample (not committed): {key} {new[key]['operation']} {new[key]['status']}"
             for key in sorted(set(new) - set(old))]
    lines += [f"sample gone: {key} {old[key]['operation']} {old[key]['status']}" for key in sorted(set(old) - set(new))]
    for key in sorted(set(old) & set(new)):
        for field, before in old[key].items():
            after = new[key][field]
            if before != after:
                lines.append(f"{key}: {field} {_delta(before, after)}")
    return lines


def _delta(before: Any, after: Any) -> str:
    if isinstance(before, list) and isinstance(after, list):
        gone, added = sorted(set(before) - set(after)), sorted(set(after) - set(before))
        return f"lost {gone[:8]} gained {added[:8]}"
    return f"{before!r} -> {after!r}"


def committed() -> list[Sample]:
    return [s for service in examples.services() for s in examples.samples(service)]


@pytest.fixture(scope="module")
def rerecorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Sample], Path, str]:
    tmp = tmp_path_factory.mktemp("examples")
    shutil.copytree(ROOT / "docs", tmp / "docs")
    log = io.StringIO()
    samples = record(tmp / "data", tmp / "docs", log=log)
    return samples, tmp, log.getvalue()


@pytest.mark.slow
def test_rerecorded_samples_have_the_committed_shapes(rerecorded: tuple[list[Sample], Path, str]) -> None:
    samples, _, log = rerecorded
    changes = drift(committed(), samples)
    assert not changes, ("the bench's answers changed shape; re-run `python -m simulators.examples` and review "
                         "docs/ if intended:\n" + "\n".join(changes) + "\n" + log[-2000:])


@pytest.mark.slow
def test_rerecording_records_nothing_missing_and_rewrites_only_the_generated_sections(
        rerecorded: tuple[list[Sample], Path, str]) -> None:
    _, tmp, log = rerecorded
    missing = json.loads((tmp / "data" / "index.json").read_text(encoding="utf-8"))["missing"]
    assert missing == {}, f"steps the recorder could not play (tour step or journey -> why):\n{missing}\n{log[-2000:]}"
    for guide in (ROOT / "docs").glob("*.md"):
        before = guide.read_text(encoding="utf-8")
        after = (tmp / "docs" / guide.name).read_text(encoding="utf-8")
        begin = "<!-- samples:begin -->"
        assert before.partition(begin)[0] == after.partition(begin)[0], guide.name


def test_drift_names_what_changed() -> None:
    """The comparison the slow test relies on reports a changed status, lost paths and added/removed samples."""
    samples = committed()
    first, second = samples[0], samples[1]
    changed = Sample.from_json({**first.as_json(), "status": 599,
                                "paths": {"request": [], "response": ["/autre"]}})
    extra = Sample.from_json({**second.as_json(), "name": "nouveau"})
    lines = drift(samples, [changed, *samples[2:], extra])
    key = f"{first.service}/{first.name}"
    assert f"{key}: status {first.status!r} -> 599" in lines
    assert any(line.startswith(f"{key}: response lost") and "gained ['/autre']" in line for line in lines)
    assert f"sample gone: {second.service}/{second.name} {second.operation} {second.status}" in lines
    assert any(line.startswith(f"new sample (not committed): {second.service}/nouveau") for line in lines)
    assert drift(samples, samples) == []
