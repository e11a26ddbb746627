"""The package's layout, read from its source (nothing is imported): each stage imports only
the stages below it, nothing but the tools imports the tools, no import circle, no module over
250 lines."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "mlpbench"
# the stages the data flows through, bottom first; study and report stand side by side
FLOORS = {"measure": 0, "analysis": 1, "study": 2, "report": 2, "publish": 3, "tools": 4}
MAX_LINES = 250


def modules():
    return {".".join(p.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__"): p
            for p in PACKAGE.rglob("*.py")}


def imports(path):
    """The mlpbench modules a module imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.startswith("mlpbench"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("mlpbench"))
    return found & set(modules())


def floor(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in FLOORS) else None


@pytest.mark.parametrize("module", sorted(modules()))
def test_a_stage_imports_only_the_stages_below_it(module):
    mine = floor(module)
    for other in imports(modules()[module]):
        theirs = floor(other)
        if mine is None or theirs is None or theirs == mine:
            continue  # the package's top (cli, paths) and a stage's own modules
        assert FLOORS[theirs] < FLOORS[mine], f"{module} imports {other}"


def test_nothing_but_the_tools_imports_the_tools():
    for module, path in modules().items():
        if floor(module) != "tools":
            assert not {m for m in imports(path) if floor(m) == "tools"}, module


def test_no_import_circle():
    graph = {m: imports(p) - {m} for m, p in modules().items()}
    done, path = set(), []

    def visit(module):
        assert module not in path, " -> ".join([*path[path.index(module):], module])
        if module in done:
            return
        path.append(module)
        for other in graph[module]:
            if not module.startswith(other + "."):  # a package's own __init__, not a circle
                visit(other)
        path.pop()
        done.add(module)

    for module in graph:
        visit(module)


@pytest.mark.parametrize("module", sorted(modules()))
def test_no_module_is_over_250_lines(module):
    assert len(modules()[module].read_text().splitlines()) <= MAX_LINES
