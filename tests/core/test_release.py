"""The release workflow pushes the image names and tags the README, compose and the vendor templates use."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from conformance.vendor import IMAGE
from simulators import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_version_is_one_value() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == __version__


def test_release_pushes_version_and_latest_of_both_targets() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/release.yml").read_text(encoding="utf-8"))
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
    assert workflow["env"]["IMAGE"] == IMAGE
    pushes = {step["with"]["target"]: step["with"]["tags"] for step in workflow["jobs"]["images"]["steps"]
              if step.get("uses", "").startswith("docker/build-push-action")}
    assert pushes == {"runtime": "${{ env.IMAGE }}:${{ env.VERSION }},${{ env.IMAGE }}:latest",
                      "full": "${{ env.IMAGE }}:${{ env.VERSION }}-full,${{ env.IMAGE }}:full"}
    stages = re.findall(r"^FROM \S+ AS (\w+)$", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.M)
    assert set(pushes) <= set(stages)
    assert workflow["jobs"]["images"]["needs"] == "test"


def test_compose_uses_the_published_image_name() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    images = {svc.get("image") for svc in compose["services"].values() if svc.get("image", "").startswith("ghcr")}
    assert images == {f"{IMAGE}:${{SOCLE_BENCH_VERSION:-latest}}"}
