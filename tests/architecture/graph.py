"""The project's module graph built from the source with `ast`, function-local imports included.

`python -m importlinter` (run by `make lint`) judges the layers on the graph grimp builds; this module
is the second, independent reading the architecture tests use: it sees every `import` statement,
wherever it stands (module level, function body, `if TYPE_CHECKING:` block excepted), so an import
moved into a function to dodge a cycle is still an edge.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

PACKAGES = ("simulators", "conformance", "loadtests", "features")


@dataclass(frozen=True)
class ImportSite:
    source: str  # importing module
    target: str  # imported project module (longest existing prefix)
    line: int
    local: bool  # inside a function body
    private_name: str | None  # the `_name` imported from another package, if any
    comment: str  # the comment on the import line or the line above


@dataclass
class ModuleGraph:
    modules: dict[str, Path]
    sites: list[ImportSite] = field(default_factory=list)

    def edges(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {m: set() for m in self.modules}
        for s in self.sites:
            if s.target != s.source:
                out[s.source].add(s.target)
        return out

    def cycles(self) -> list[list[str]]:
        """Strongly connected components of more than one module (Tarjan, iterative)."""
        edges = self.edges()
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        result: list[list[str]] = []
        counter = 0
        for root in sorted(edges):
            if root in index:
                continue
            work = [(root, iter(sorted(edges[root])))]
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                node, children = work[-1]
                advanced = False
                for child in children:
                    if child not in index:
                        index[child] = low[child] = counter
                        counter += 1
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, iter(sorted(edges[child]))))
                        advanced = True
                        break
                    if child in on_stack:
                        low[node] = min(low[node], index[child])
                if advanced:
                    continue
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        result.append(sorted(component))
        return sorted(result)


def discover(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def build(root: Path, packages: Iterable[str] = PACKAGES) -> ModuleGraph:
    graph = ModuleGraph(discover(root, packages))
    for name, path in graph.modules.items():
        graph.sites.extend(_sites(graph.modules, name, path))
    return graph


def _resolve(modules: dict[str, Path], dotted: str) -> str | None:
    while dotted and dotted not in modules:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def _parents(target: str, modules: dict[str, Path], source: str) -> Iterator[str]:
    """Importing a.b.c runs a/__init__ and a/b/__init__ first: those are edges too."""
    parts = target.split(".")
    for i in range(1, len(parts)):
        package = ".".join(parts[:i])
        if package in modules and not source.startswith(package + ".") and package != source:
            yield package


def unit(modules: dict[str, Path], module: str) -> str:
    """The package a module belongs to for the privacy rule: `simulators.dmp` for anything under
    simulators/dmp/, `conformance` for conformance/checks_dmp.py, `conformance.drivers` for its drivers."""
    parts = module.split(".")
    if len(parts) >= 2 and modules.get(".".join(parts[:2]), Path()).name == "__init__.py":
        return ".".join(parts[:2])
    return parts[0]


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _local_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def _sites(modules: dict[str, Path], name: str, path: Path) -> Iterator[ImportSite]:
    source = path.read_text(encoding="utf-8")
    text_lines = source.splitlines()
    tree = ast.parse(source, filename=str(path))
    typing_only = _type_checking_lines(tree)
    local = _local_lines(tree)
    is_package = path.name == "__init__.py"

    def comment(line: int) -> str:
        here = text_lines[line - 1]
        above = text_lines[line - 2].strip() if line >= 2 else ""
        own = here.split("#", 1)[1] if "#" in here else ""
        return (own + " " + (above[1:] if above.startswith("#") else "")).strip()

    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or node.lineno in typing_only:
            continue
        found: list[tuple[str, str | None]] = []
        if isinstance(node, ast.Import):
            found = [(alias.name, None) for alias in node.names]
        else:
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found = [(f"{module}.{alias.name}", alias.name) for alias in node.names]
            if not all(dotted in modules for dotted, _ in found):
                # `from pkg import name` runs pkg/__init__ for its names; `from pkg import submodule` only
                # reaches pkg as the submodule's parent (no edge when the importer lives inside pkg)
                found.insert(0, (module, None))
        for dotted, imported_name in found:
            target = _resolve(modules, dotted)
            if target is None:
                continue
            private = None
            if (imported_name and imported_name.startswith("_") and not imported_name.startswith("__")
                    and target == _resolve(modules, dotted.rpartition(".")[0])
                    and unit(modules, target) != unit(modules, name)):
                private = imported_name  # a private name of another package
            for edge in (target, *_parents(target, modules, name)):
                yield ImportSite(name, edge, node.lineno, node.lineno in local,
                                 private if edge == target else None, comment(node.lineno))
