"""A process's thread limits: the variables BLAS, OpenMP and TensorFlow read when they load,
the CPUs it is pinned to, and how many OS threads it has. Standard library only: measure.timing
calls these before NumPy or TensorFlow is imported."""

import os
from pathlib import Path

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
              "TF_NUM_INTEROP_THREADS")


def set_thread_env(threads):
    """Thread-count variables that BLAS, OpenMP and TensorFlow read when they load."""
    for key in THREAD_ENV:
        os.environ[key] = str(threads)


def pin_to_cpus(threads):
    """Restrict the process to the first `threads` of the CPUs it may use (runner.skip_reason
    refuses a cell that asks for more than there are)."""
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:threads])


def os_thread_count():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return None
