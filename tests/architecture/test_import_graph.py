"""0 import cycles (function-local imports counted), no private name imported across packages, and a
function-local import of the project only where its comment says why (optional heavy dependency, or
lazy loading the CLI's start-up time depends on)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from .graph import build

ROOT = Path(__file__).resolve().parents[2]
REASON_WORDS = ("lazy", "optional", "heavy")


@pytest.fixture(scope="module")
def graph():
    return build(ROOT)


def test_the_graph_sees_the_whole_project(graph):
    # a graph that reads nothing would find no cycle: prove it read the packages and their edges
    assert len(graph.modules) > 250
    assert {"simulators.core.journal", "conformance.live", "loadtests.bench", "features.steps"} <= set(graph.modules)
    assert len(graph.sites) > 1000


def test_no_import_cycle_including_function_local_imports(graph):
    cycles = graph.cycles()
    assert not cycles, "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in cycles)


def test_no_private_name_imported_from_another_package(graph):
    bad = sorted({f"{s.source}:{s.line} imports {s.private_name} from {s.target}"
                  for s in graph.sites if s.private_name})
    assert not bad, "\n".join(bad)


def test_function_local_imports_of_the_project_say_why(graph):
    bad = sorted({f"{s.source}:{s.line}" for s in graph.sites
                  if s.local and not any(w in s.comment.lower() for w in REASON_WORDS)})
    assert not bad, f"{len(bad)} unexplained function-local imports of the project:\n" + "\n".join(bad)


# -- the failing side: the same checks on a small seeded tree ---------------------------------------

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


def test_a_cycle_hidden_in_a_function_is_found(tmp_path):
    root = _tree(tmp_path, {
        "simulators/__init__.py": "",
        "simulators/a.py": "from simulators import b\n",
        "simulators/b.py": "def f():\n    from simulators import a\n    return a\n",
    })
    g = build(root, ("simulators",))
    assert g.cycles() == [["simulators.a", "simulators.b"]]
    assert [s for s in g.sites if s.local and s.target == "simulators.a"]


def test_a_cycle_through_a_package_init_is_found(tmp_path):
    root = _tree(tmp_path, {
        "simulators/__init__.py": "",
        "simulators/svc/__init__.py": "from .server import App\n",
        "simulators/svc/server.py": "App = 1\n",
        "simulators/other.py": "import simulators.svc.server\n",
        "simulators/svc/helper.py": "from simulators import other\n",
    })
    g = build(root, ("simulators",))
    assert g.cycles() == []  # no cycle yet
    (root / "simulators/svc/server.py").write_text("from simulators import other\nApp = 1\n")
    assert build(root, ("simulators",)).cycles() == [["simulators.other", "simulators.svc", "simulators.svc.server"]]


def test_a_sibling_submodule_taken_from_the_package_is_not_an_edge_to_its_init(tmp_path):
    root = _tree(tmp_path, {
        "simulators/__init__.py": "",
        "simulators/svc/__init__.py": "from simulators.svc.steps import *\n",
        "simulators/svc/verify.py": "X = 1\n",
        "simulators/svc/steps.py": "from simulators.svc import verify\n",
    })
    assert build(root, ("simulators",)).cycles() == []
    # a name of the package's __init__ (not a submodule) is: the package is needed whole, a real cycle
    (root / "simulators/svc/__init__.py").write_text("from simulators.svc.steps import *\nY = 2\n")
    (root / "simulators/svc/steps.py").write_text("from simulators.svc import verify, Y\n")
    assert build(root, ("simulators",)).cycles() == [["simulators.svc", "simulators.svc.steps"]]


def test_type_checking_imports_are_not_edges(tmp_path):
    root = _tree(tmp_path, {
        "simulators/__init__.py": "",
        "simulators/a.py": "from simulators import b\n",
        "simulators/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from simulators import a\n",
    })
    assert build(root, ("simulators",)).cycles() == []


def test_a_private_import_across_packages_is_found_and_within_a_package_is_not(tmp_path):
    root = _tree(tmp_path, {
        "simulators/__init__.py": "",
        "simulators/dmp/__init__.py": "",
        "simulators/dmp/vihf.py": "def _helper():\n    pass\n",
        "simulators/dmp/server.py": "from .vihf import _helper\n",
        "conformance/__init__.py": "",
        "conformance/checks_dmp.py": "from simulators.dmp.vihf import _helper\n",
    })
    g = build(root, ("simulators", "conformance"))
    assert [(s.source, s.private_name) for s in g.sites if s.private_name] == [("conformance.checks_dmp", "_helper")]


def test_an_unexplained_local_import_is_found_and_an_explained_one_is_not(tmp_path):
    root = _tree(tmp_path, {
        "simulators/__init__.py": "",
        "simulators/a.py": "X = 1\n",
        "simulators/b.py": "def f():\n    from simulators import a\n    return a\n",
        "simulators/c.py": "def f():\n    # lazy: the CLI starts without the MSS stack\n    from simulators import a\n    return a\n",
    })
    g = build(root, ("simulators",))
    flagged = {s.source for s in g.sites if s.local and not any(w in s.comment.lower() for w in REASON_WORDS)}
    assert flagged == {"simulators.b"}
