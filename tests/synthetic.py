"""Synthetic run records (docs/interfaces.md layout) for testing gather, stats and claims.

Test fixtures only: these numbers are made up and never reach results/.
"""

import numpy as np

from mlpbench.measure import flops, records

PROVENANCE = {
    "cpu_model": "Test CPU", "cpu_flags": "avx2 fma", "cpu_count": 4, "cpu_affinity": [0],
    "blas": [{"internal_api": "openblas", "version": "0.3.27", "architecture": "Haswell",
              "num_threads": 1, "user_api": "blas"}],
    "python": "3.11.2", "numpy": "2.4.6", "tensorflow": "2.21.0", "keras": "3.0",
    "threadpoolctl": "3.5.0", "mlpbench": "0.1.0", "git_revision": "abc", "git_dirty": False,
    "host": "test", "platform": "Linux", "runner": "local", "image_digest": None,
}


def peak_rates(dtype, batch, threads):
    """Made-up probe rates (square, shapes) in GFLOP/s: float64 half, small batches slower."""
    square = (40.0 if dtype == "float32" else 20.0) * threads
    return square, square * batch / (batch + 500)


def record(impl="numpy-step2", dtype="float32", batch=500, threads=1, repeat=1, times=None,
           phases=None, status="ok", reason=None, epochs=3, seed=0, device="cpu",
           runner="local", test_accuracy=0.89):
    """One record; `times` are the timed epochs' wall seconds, `phases` {phase: seconds}.

    achieved_gflops follows from the times (flops.achieved_gflops of 10000 samples).
    """
    times = list(times if times is not None else [1.0] * epochs) if status == "ok" else []
    n = len(times)
    square, shapes = peak_rates(dtype, batch, threads) if n else (None, None)
    phase_s = None
    if phases is not None and status == "ok":
        phase_s = {p: [v] * n for p, v in phases.items()}
    cell = {"impl": impl, "dtype": dtype, "batch": batch, "threads": threads,
            "epochs": n or epochs, "warmup_epochs": 1, "subset": 10000, "seed": seed,
            "device": device}
    hyper = {"learn_rate": 0.1, "decrease_const": 1e-6, "mom_rate": 5e-5, "l2": 0.01,
             "layers": [784, 70, 30, 10]}
    rec = records.base_record(cell, "article" if impl == "keras-seed" else "matched", hyper,
                              status, reason)
    rec.update(
        epoch_wall_s=times, epoch_cpu_s=[t * threads * 0.95 for t in times],
        cpu_per_wall=[threads * 0.95] * n, interference=[0.0] * n, machine_busy=[0.0] * n,
        os_threads=threads + 2, phase_s=phase_s,
        train_accuracy=0.9 if n else None, test_accuracy=test_accuracy if n else None,
        train_loss=0.3 if n else None, test_loss=0.31 if n else None,
        t_start=1000.0 + repeat, t_end=1001.0 + repeat,
        runner=runner, image_digest=None, provenance=PROVENANCE, repeat=repeat,
        process=f"{impl}-t{threads}-{device}-r{repeat}-a1", attempt=1, disturbed=False,
        earlier_attempts=[], process_wall_s=10.0, harness_cpu_per_wall=0.01,
        achieved_gflops=flops.achieved_gflops(10000, batch, float(np.median(times)))
        if n else None,
        peak_gflops=square, peak_gflops_shapes=shapes, node="node1", slurm_job_id=None,
        gpus=[],
    )
    return rec


def jitter(base, n, rng, rel=0.01):
    return list(base * (1 + rel * rng.standard_normal(n)))


def study(seed=0, repeats=3, epochs=3, scale=None):
    """A small full grid whose timings confirm every claim unless `scale` changes them.

    scale: {(impl, dtype, batch): factor} multiplies that cell's times.
    """
    rng = np.random.default_rng(seed)
    scale = scale or {}
    # seconds per epoch by (impl, batch) in float32; float64 costs 2x for NumPy
    base = {
        "numpy-naive": {500: 4.0, 1000: 3.8, 10000: 3.8},
        "numpy-step1": {500: 2.4, 1000: 2.2, 10000: 2.2},
        "numpy-step2": {500: 2.0, 1000: 1.9, 10000: 1.8},
        "keras-fit": {500: 1.5, 1000: 1.2, 10000: 0.6},
    }
    phases = {  # forward, backward per epoch at batch 500 (float32)
        "numpy-naive": {"forward": 1.0, "backward": 2.4, "update": 0.4, "shuffle": 0.1},
        "numpy-step1": {"forward": 1.0, "backward": 1.1, "update": 0.2, "shuffle": 0.1},
        "numpy-step2": {"forward": 0.8, "backward": 1.0, "update": 0.1, "shuffle": 0.1},
    }
    records = []
    for impl, by_batch in base.items():
        for dtype in ("float32", "float64"):
            for batch, t in by_batch.items():
                factor = (2.0 if dtype == "float64" and impl.startswith("numpy") else 1.1)
                factor = factor if dtype == "float64" else 1.0
                factor *= scale.get((impl, dtype, batch), 1.0)
                ph = phases.get(impl)
                if ph is not None and impl == "numpy-step1" and batch == 10000:
                    ph = {**ph, "forward": 1.3}
                for r in range(1, repeats + 1):
                    records.append(record(impl, dtype, batch, 1, r,
                                          jitter(t * factor, epochs, rng), ph))
    records.append(record("numpy-step2", "float32", 500, 64, 1, status="skipped",
                          reason="needs 64 CPUs, this process may use 4"))
    return records
