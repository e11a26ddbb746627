"""mlpbench.paths is the one home of the results tree: run paths with and without wildcards,
and no other module or rule spells a path under results/ in its code."""

import ast
import re
from pathlib import Path

from mlpbench import paths
from mlpbench.study.grid import Process

ROOT = Path(__file__).resolve().parents[1]


def test_a_run_path_fills_the_fields_given_and_keeps_the_others_as_wildcards():
    assert paths.run(dtype="float32", batch=500) == \
        "results/runs/{device}/{impl}/float32/b500_t{threads}_r{repeat}.json"
    process = Process("numpy-fast", 2, 3)
    assert process.run_path("float64", 10000) == \
        "results/runs/cpu/numpy-fast/float64/b10000_t2_r3.json"
    assert process.run_path("float64", 10000, paths.EXTRA_RUNS).startswith("results/extra/runs/")


def literals(path):
    """String constants in a module's code (docstrings left out)."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_module_or_rule_spells_a_results_path_of_its_own():
    spelled = []
    for module in [*(ROOT / "src").rglob("*.py"), *(ROOT / "workflow" / "scripts").glob("*.py")]:
        if module.name != "paths.py":
            spelled += [f"{module.name}: {s}" for s in literals(module)
                        if s.startswith("results/")]
    for rules in (ROOT / "workflow" / "rules").glob("*.smk"):
        code = "\n".join(line.split("#")[0] for line in rules.read_text().splitlines())
        spelled += [f"{rules.name}: {m}"  # a docstring's opening quotes are not a path's
                    for m in re.findall(r'(?<!")"results/[^"\n]*"', code)]
    assert not spelled
