"""The shape of the package, checked: domain packages form a DAG, and nothing hides a cycle behind an import
inside a function (issue: one visible step pipeline)."""
from __future__ import annotations

import ast
from pathlib import Path

MODULES = Path(__file__).resolve().parent.parent / "workflow_service" / "modules"


def _imports(path: Path):
    """(node, imported package, inside a function?) for every import of another domain package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside.update(id(n) for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom)))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, id(node) in inside


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in MODULES.rglob("*.py"):
        package = path.relative_to(MODULES).parts[0]
        if package.endswith(".py"):
            continue
        graph.setdefault(package, set())
        depth = len(path.relative_to(MODULES).parts)  # modules/<package>/<file>.py -> 2
        for node, _ in _imports(path):
            if isinstance(node, ast.ImportFrom) and node.level == depth and node.module:
                target = node.module.split(".")[0]
                if target != package:
                    graph[package].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_domain_packages_import_each_other_without_a_cycle():
    graph = _package_graph()
    assert {"cases", "steps", "processes", "tasks", "users"} <= set(graph)
    assert "steps" in graph["cases"]  # the graph is read, not empty
    assert _cycles(graph) == []


def test_no_import_inside_a_function_in_the_domain_packages():
    """An import inside a function is how a cycle hides; one that must stay there says why on its line."""
    offenders = []
    for path in sorted(MODULES.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node, in_function in _imports(path):
            if in_function and "# import here:" not in lines[node.lineno - 1]:
                offenders.append(f"{path.relative_to(MODULES)}:{node.lineno}")
    assert offenders == []
