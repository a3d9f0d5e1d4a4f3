"""The shape of the code: no import circle anywhere, and no module past the size a reader can
hold. (The layers and the core/Qt boundary are import-linter contracts in pyproject.toml.)

Imports are read from the source (grimp parses, it does not import). It sits outside
``tests/core``: the Qt-blocked run hides the ``gui`` package itself. Every import counts,
including those under ``TYPE_CHECKING`` and inside functions: a circle hidden there is still a
circle to a reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "gui")
#: Modules past this many lines get split by concern (ARCHITECTURE.md, "Conventions").
MAX_LINES = 400


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, _imports(graph, root))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _imports(graph: grimp.ImportGraph, module: str) -> Iterator[str]:
    return iter(sorted(graph.find_modules_directly_imported_by(module)))


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert _cycles(graph) == [["a.x", "a.y"]]


def test_no_import_circle_anywhere() -> None:
    graph = grimp.build_graph(*PACKAGES)
    assert _cycles(graph) == []


SOURCES = sorted(
    str(p.relative_to(ROOT))
    for package in (*PACKAGES, "tests")
    for p in (ROOT / package).rglob("*.py")
    if package != "tests" or not p.name.startswith("test_")
)


@pytest.mark.parametrize("path", [*SOURCES, "main.py"])
def test_no_module_is_too_long_to_read(path: str) -> None:
    lines = (ROOT / path).read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path} has {lines} lines: split it by concern"
