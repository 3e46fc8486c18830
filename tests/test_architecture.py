"""The shape of the code: layers import only downward, no import cycles, short functions.

Imports are read from the source (``ast``), including imports inside functions, so a cycle
cannot hide behind a deferred import; imports under ``if TYPE_CHECKING:`` are left out, since
they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("index", "search", "web")
#: Which top-level package may import which: web → search → index, never upward.
ALLOWED = {"index": {"index"}, "search": {"search", "index"}, "web": {"web", "search", "index"}}
CLI = "search.cli"
MAX_FUNCTION_LINES = 60


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    found["wsgi"] = ROOT / "wsgi.py"
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports anywhere in its code (TYPE_CHECKING blocks excepted)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: _imported(name, path) for name, path in MODULES.items()}


def _top(module: str) -> str:
    return module.split(".")[0]


def test_the_graph_is_read() -> None:
    assert "index.analysis" in GRAPH["search.query"]
    assert "search.engine" in GRAPH[CLI], "imports inside functions are seen"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _top(m) in PACKAGES))
def test_packages_import_only_downward(module: str) -> None:
    upward = {m for m in GRAPH[module] if _top(m) not in ALLOWED[_top(module)]}
    assert upward == set(), f"{module} imports a higher layer"


def test_no_module_but_the_front_ends_imports_the_cli() -> None:
    assert [m for m, imports in GRAPH.items() if CLI in imports] == []


def test_the_front_ends_do_not_import_each_other() -> None:
    assert not {m for m in GRAPH[CLI] if _top(m) == "web"}
    assert not {m for name, imports in GRAPH.items() if _top(name) == "web" for m in imports if m == CLI}


def _cycle() -> list[str] | None:
    """One import cycle between project modules, or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for module in sorted(GRAPH):
        if module not in state:
            found = visit(module)
            if found:
                return found
    return None


def test_no_import_cycle_between_modules() -> None:
    assert _cycle() is None, " → ".join(_cycle() or [])


def test_no_import_cycle_between_packages() -> None:
    edges = {(_top(a), _top(b)) for a, imports in GRAPH.items() for b in imports if _top(a) != _top(b)}
    assert not {(a, b) for a, b in edges if (b, a) in edges}


def test_the_cycle_detector_finds_a_cycle() -> None:
    GRAPH["index.normalize"].add("index.analysis")
    try:
        assert _cycle() is not None
    finally:
        GRAPH["index.normalize"].discard("index.analysis")


def _long_functions() -> list[str]:
    long = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name} ({lines} lines)")
    return long


def test_no_product_function_is_over_sixty_lines() -> None:
    assert _long_functions() == []
