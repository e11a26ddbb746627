"""How one grid cell is measured: limit threads, set up, warm up, time epochs, evaluate, record.

The timed region is the training epochs only: each epoch is bracketed by perf_counter (wall)
and process_time (CPU of all the process's threads). Data loading, preparation, model building,
compilation (warm-up), the peak probe and evaluation happen outside it.
"""

import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median

SCHEMA_VERSION = 1

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
              "TF_NUM_INTEROP_THREADS")


@dataclass(frozen=True)
class Cell:
    impl: str
    dtype: str
    batch: int
    threads: int
    epochs: int
    warmup_epochs: int
    subset: int
    seed: int
    device: str = "cpu"


def set_device_env(device):
    """CPU cells hide any GPU from TensorFlow (the CUDA image on a GPU host runs them on the CPU
    too); GPU cells leave it visible. Call before TensorFlow loads."""
    if device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = "-1"


def device_skip(impl_cls, device):
    """Why the implementation cannot run on `device` here, or None."""
    if device == "cpu":
        return None
    if "tensorflow" not in impl_cls.requires:
        return f"{impl_cls.name} runs on the CPU only (NumPy)"
    try:
        import tensorflow as tf
    except ImportError:
        return "TensorFlow is not installed"
    if not tf.config.list_physical_devices("GPU"):
        return "TensorFlow sees no GPU here (no CUDA device, driver or CUDA-enabled build)"
    return None


def set_thread_env(threads):
    """Thread-count variables that BLAS, OpenMP and TensorFlow read when they load."""
    for key in THREAD_ENV:
        os.environ[key] = str(threads)


def pin_to_cpus(threads):
    """Restrict the process to `threads` of the CPUs it may use; a reason if it cannot."""
    allowed = sorted(os.sched_getaffinity(0))
    if threads > len(allowed):
        return f"needs {threads} CPUs, this process may use {len(allowed)}"
    os.sched_setaffinity(0, allowed[:threads])
    return None


def os_thread_count():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return None


class EpochClock:
    """Wall and CPU time of each epoch, and the most OS threads seen."""

    def __init__(self):
        self.wall, self.cpu, self.threads_seen = [], [], 0
        self.t_start = self.t_end = None

    def epoch_begin(self, epoch):
        if self.t_start is None:
            self.t_start = time.time()
        self._cpu0 = time.process_time()
        self._wall0 = time.perf_counter()

    def epoch_end(self, epoch):
        wall = time.perf_counter() - self._wall0
        cpu = time.process_time() - self._cpu0
        self.t_end = time.time()
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.threads_seen = max(self.threads_seen, os_thread_count() or 0)


def write_atomic(record, out):
    """Write JSON so that a reader sees either no file or the whole record."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=1, allow_nan=False))
    os.replace(tmp, out)


def base_record(cell, impl_cls, hyper):
    return {
        "schema_version": SCHEMA_VERSION,
        "status": "ok",
        "reason": None,
        **cell.__dict__,
        "workload": impl_cls.workload,
        "hyper": hyper.as_dict(),
        "runner": os.environ.get("MLPBENCH_RUNNER", "local"),
        "image_digest": os.environ.get("MLPBENCH_IMAGE_DIGEST") or None,
    }


def run_cell(cell, data_path, hyper=None):
    """Run one cell in this process and return its record (the caller writes it).

    Call set_thread_env(cell.threads) before NumPy is first imported.
    """
    from threadpoolctl import threadpool_info, threadpool_limits

    from mlpbench import data, flops, model, peak, provenance
    from mlpbench.implementations import REGISTRY

    hyper = hyper or model.Hyper()
    impl_cls = REGISTRY[cell.impl]
    record = base_record(cell, impl_cls, hyper)
    impl = impl_cls()
    reason = (pin_to_cpus(cell.threads) or impl.skip(cell.dtype, cell.batch, cell.threads)
              or device_skip(impl_cls, cell.device))
    if reason:
        record.update(status="skipped", reason=reason,
                      provenance=provenance.collect(threadpool_info()))
        return record

    with threadpool_limits(limits=cell.threads):
        # the CPU's GEMM rate with the same BLAS, threads and dtype, before TensorFlow loads
        probe = peak.probe(cell.dtype, cell.batch) if cell.device == "cpu" else {}
        dataset = data.prepare(data.load(data_path), cell.dtype, cell.subset)
        params = model.init_params(cell.seed, cell.dtype)
        impl.setup(dataset, params, hyper, cell.batch, cell.seed, cell.threads)
        impl.warm_up(cell.warmup_epochs)
        clock = EpochClock()
        impl.train(range(cell.warmup_epochs, cell.warmup_epochs + cell.epochs), clock)
        blas = threadpool_info()  # inside the limit: shows the thread count in force

    trained = impl.get_params()
    train_acc = train_loss = test_acc = test_loss = None
    if model.all_finite(trained):
        train_acc, train_loss = model.evaluate(trained, dataset.x_train, dataset.y_train)
        test_acc, test_loss = model.evaluate(trained, dataset.x_test, dataset.y_test)
    if not all(map(_finite, (train_loss, test_loss))):
        record.update(status="invalid", reason="training went non-finite (NaN or inf)")
        train_loss = test_loss = None
    wall_median = median(clock.wall) if clock.wall else None
    record.update(
        epoch_wall_s=clock.wall,
        epoch_cpu_s=clock.cpu,
        cpu_per_wall=[c / w for c, w in zip(clock.cpu, clock.wall, strict=True)],
        epoch_wall_s_median=wall_median,
        achieved_gflops=flops.achieved_gflops(len(dataset.x_train), cell.batch, wall_median),
        peak_gflops=probe.get("square_gflops"),
        peak_gflops_shapes=probe.get("shapes_gflops"),
        os_threads=clock.threads_seen,
        phase_s=impl.phase_s,
        train_accuracy=train_acc,
        test_accuracy=test_acc,
        train_loss=train_loss,
        test_loss=test_loss,
        final_loss=train_loss,
        t_start=clock.t_start,
        t_end=clock.t_end,
        impl_info=impl.info(),
        provenance=provenance.collect(blas),
    )
    return record


def _finite(v):
    return v is not None and math.isfinite(v)
