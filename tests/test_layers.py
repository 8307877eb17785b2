"""The code's shape as checked facts: no two modules import each other round a circle, and no
module outside the wiring grows past 450 lines. (The direction between the apps is the
import-linter contract in pyproject.toml, run by `lint-imports` in CI.)"""

import re
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def _apps() -> tuple[str, ...]:
    """Every app of the project: each top-level package with an apps.py."""
    return tuple(sorted(path.parent.name for path in ROOT.glob("*/apps.py")))


APPS = _apps()
# Wiring: what assembles the apps rather than doing their work.
WIRING = re.compile(
    r"(^|\.)(migrations|management\.commands|devservers)(\.|$)|^sellerdesk\.(urls|settings\w*)$"
)
MAX_LINES = 450


def _modules(graph) -> list[str]:
    return sorted(m for m in graph.modules if not WIRING.search(m))


def _cycles(graph, modules: list[str]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), wiring left out."""
    inside = set(modules)
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module) & inside:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return groups


def test_every_app_is_checked():
    assert {"dashboard", "buyers", "inbox", "escalations", "amazon", "sellerdesk"} <= set(APPS)


def test_no_module_imports_round_a_circle():
    graph = grimp.build_graph(*APPS)
    assert _cycles(graph, _modules(graph)) == []


def test_the_cycle_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="c", imported="a")
    assert _cycles(graph, ["a", "b", "c"]) == [["a", "b", "c"]]


def test_no_module_outside_the_wiring_is_over_450_lines():
    long = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            lines = len(path.read_text().splitlines())
            if not WIRING.search(module) and lines > MAX_LINES:
                long[module] = lines
    assert long == {}
