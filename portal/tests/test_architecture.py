"""Dependencies run one way: the import contract of pyproject.toml ([tool.importlinter]: the layers,
the outbox knowing no alert, views reached only through URLs) is kept, and no app has an import
cycle inside it, imports inside functions included (TYPE_CHECKING imports excluded)."""

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

BASE = Path(__file__).resolve().parents[2]
APPS: list[str] = tomllib.loads((BASE / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]


def _strongly_connected(modules: set[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other (size > 1)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
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
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def cycles_inside(graph: grimp.ImportGraph, app: str) -> list[list[str]]:
    """The import cycles among the product modules of one app (tests and migrations left out)."""
    modules = {
        m
        for m in graph.modules
        if (m == app or m.startswith(app + ".")) and ".tests" not in m and ".migrations" not in m
    }
    edges = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    return _strongly_connected(modules, edges)


def test_the_import_contract_is_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"], cwd=BASE, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_app_has_an_import_cycle_inside_it():
    graph = grimp.build_graph(*APPS, exclude_type_checking_imports=True, cache_dir=None)
    found = {app: cycles_inside(graph, app) for app in APPS}
    assert {app: groups for app, groups in found.items() if groups} == {}


def test_the_cycle_check_sees_a_cycle_made_by_an_import_inside_a_function():
    # A guard that cannot fail proves nothing: a cycle of three modules, one arrow drawn the way an
    # import inside a function draws it (grimp records it like any other).
    graph = grimp.ImportGraph()
    for module in ("app", "app.tasks", "app.services", "app.models", "other"):
        graph.add_module(module)
    graph.add_import(importer="app.tasks", imported="app.services")
    graph.add_import(importer="app.services", imported="app.models")
    graph.add_import(importer="app.models", imported="app.tasks", line_number=40, line_contents="from . import tasks")
    graph.add_import(importer="other", imported="app.tasks")

    assert cycles_inside(graph, "app") == [["app.models", "app.services", "app.tasks"]]
    assert cycles_inside(graph, "other") == []
