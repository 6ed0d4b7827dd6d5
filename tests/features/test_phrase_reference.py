"""features/README.md documents every phrase the shipped features use, with an example that parses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import features
from conformance.drivers.documents import DOCUMENT_KINDS
from conformance.drivers.stepper import StepDefinitionMissing, find_definition, step_definitions
from features.catalog import JOURNEYS, markers

HERE = Path(features.__file__).parent
KEYWORDS = re.compile(r"^(?:Étant donné qu'|Étant donné que |Étant donné |Et qu'|Et que |Et |Mais |Quand |Alors )")
TYPES = {"Étant": "given", "Quand": "when", "Alors": "then"}


def readme_examples(text: str) -> list[tuple[str, str]]:
    """(type, sentence) for each example line between the phrase markers of the README."""
    block = text.split("<!-- phrases -->", 1)[1].split("<!-- /phrases -->", 1)[0]
    examples = []
    for raw in block.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "```")):
            continue
        keyword = KEYWORDS.match(line)
        assert keyword, f"exemple sans mot-clé Gherkin dans features/README.md : {line!r}"
        examples.append((TYPES[line.split(" ", 1)[0]], line[keyword.end():]))
    return examples


class _Step:
    def __init__(self, kind: str, name: str) -> None:
        self.type, self.name, self.keyword = kind, name, ""


def documented(readme: str) -> set[str]:
    """Names of the step functions (with their type) an example of the README exercises."""
    definitions = step_definitions()
    found = set()
    for kind, sentence in readme_examples(readme):
        context, _ = find_definition(_Step(kind, sentence), definitions)
        found.add(context.step_func.__name__)  # a phrase shared by Étant donné and Quand counts once
    return found


def used_by_features() -> dict[str, str]:
    from pytest_bdd.parser import FeatureParser

    definitions = step_definitions()
    used: dict[str, str] = {}
    for name in JOURNEYS:
        feature = FeatureParser(str(HERE), f"{name}.feature").parse()
        for template in feature.scenarios.values():
            for step in template.render({}).steps:
                context, _ = find_definition(step, definitions)
                used.setdefault(context.step_func.__name__, f"{name}: {step.name}")
    return used


def test_every_phrase_a_feature_uses_is_documented_with_an_example() -> None:
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    missing = {k: v for k, v in used_by_features().items() if k not in documented(readme)}
    assert not missing, "phrases sans exemple dans features/README.md :\n" + "\n".join(missing.values())


def test_the_check_fails_when_a_phrase_is_undocumented() -> None:
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    without = "\n".join(line for line in readme.splitlines() if "transfère par MSSanté" not in line)
    assert "forward" in used_by_features() and "forward" not in documented(without)
    with pytest.raises(StepDefinitionMissing):
        documented(readme.replace("<!-- /phrases -->", "Quand \"X\" chante une chanson\n<!-- /phrases -->"))


def test_every_document_kind_is_in_the_readme_table() -> None:
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    absent = [k.key for k in DOCUMENT_KINDS.values() if f"`{k.key}`" not in readme]
    assert not absent, f"types de document absents de features/README.md : {absent}"


def test_every_tag_of_the_features_is_a_registered_marker(pytestconfig: pytest.Config) -> None:
    registered = {line.split(":", 1)[0].split("(", 1)[0] for line in pytestconfig.getini("markers")}
    tags = set()
    for name in JOURNEYS:
        for line in (HERE / f"{name}.feature").read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("@"):
                tags |= {tag.lstrip("@") for tag in line.split()}
    assert tags - registered == set(), f"étiquettes non déclarées comme marqueurs : {sorted(tags - registered)}"
    assert {"pa", "ph", "pde", "daniel", "louis", "louis_domicile"} <= set(markers())
