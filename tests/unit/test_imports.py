"""The package's import graph: no cycles between modules of `flows` (counting imports deferred
into functions too; only TYPE_CHECKING imports are left out), and production code does not
import the demo."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO
from tests.support.imports import modules_after

PACKAGE = REPO / "flows"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imports(path: Path, module: str, modules: dict[str, Path], *, top_level: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                if not top_level:
                    visit(node.body)
                continue
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                names = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for name in names:
                target = _resolve(name, modules)
                if target and target != module:
                    found.add(target)
            if not top_level:
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.stmt):
                        visit([child])
                    else:
                        for sub in ast.walk(child):
                            if isinstance(sub, ast.stmt):
                                visit([sub])
            elif isinstance(node, ast.If | ast.Try):
                visit(node.body)
                visit(node.orelse)
                if isinstance(node, ast.Try):
                    for handler in node.handlers:
                        visit(handler.body)

    visit(tree.body)
    return found


def _runtime_imports(path: Path, module: str, modules: dict[str, Path]) -> set[str]:
    """Everything `module` imports when it runs, wherever the import statement is."""
    return _imports(path, module, modules, top_level=False) - _type_checking_only(
        path, module, modules
    )


def _type_checking_only(path: Path, module: str, modules: dict[str, Path]) -> set[str]:
    everything = _imports(path, module, modules, top_level=False)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in ast.walk(node):
                if isinstance(sub, ast.ImportFrom) and sub.module:
                    target = _resolve(sub.module, modules)
                    if target:
                        guarded.add(target)
                elif isinstance(sub, ast.Import):
                    guarded |= {t for a in sub.names if (t := _resolve(a.name, modules))}
    return guarded & everything


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)
    return cycles


def test_no_import_cycles_in_flows() -> None:
    modules = _modules()
    graph = {m: _runtime_imports(p, m, modules) for m, p in modules.items()}
    # A package's __init__ re-exporting its submodules is not a cycle of behaviour.
    for name in graph:
        graph[name] = {t for t in graph[name] if not name.startswith(f"{t}.")}
    assert _cycles(graph) == []


def test_the_checker_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]


def test_production_code_does_not_import_the_demo() -> None:
    modules = _modules()
    offenders = {
        module: sorted(
            t
            for t in _imports(path, module, modules, top_level=False)
            if t.startswith("flows.demo")
        )
        for module, path in modules.items()
        if not module.startswith("flows.demo") and module != "flows.cli"
    }
    assert {m: t for m, t in offenders.items() if t} == {}


def test_pure_decisions_import_no_database_library() -> None:
    # The ledger's records are plain data; the store behind them brings SQLAlchemy, which a
    # read-only command that needs no ledger (check, template, parse) should not pay for.
    for module in ("flows.schedule", "flows.ledger.records", "flows.config", "flows.check"):
        assert modules_after(f"import {module}", ("sqlalchemy",)) == [], module
