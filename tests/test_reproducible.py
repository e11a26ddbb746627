"""study.reproducible: the package layer's inputs are what `mlpbench run` imports, and its wheel
repeats byte for byte."""

import hashlib
from pathlib import Path

from mlpbench.study import reproducible

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_layer_holds_what_mlpbench_run_imports():
    sources = {p.relative_to(ROOT).as_posix() for p in reproducible.package_sources(ROOT)}
    assert {"pyproject.toml", "src/mlpbench/cli.py", "src/mlpbench/measure/timing.py"} <= sources
    assert not [s for s in sources if s.startswith(("src/mlpbench/report", "src/mlpbench/study"))]


def test_the_package_wheel_repeats(tmp_path):
    digests = {hashlib.sha256(reproducible.package_wheel(ROOT, tmp_path / d).read_bytes())
               .hexdigest() for d in ("a", "b")}
    assert len(digests) == 1
