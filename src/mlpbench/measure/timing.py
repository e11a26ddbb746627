"""How cells are measured in one process: limit threads, then per cell set up, warm up, time
epochs, evaluate, record.

A process runs one or more cells that share an implementation, thread count and device (the
study runs every dtype and batch size of an (implementation, threads) in one process, in a
shuffled order, so that a process start-up, seconds for TensorFlow, is paid once, not per
cell). Each cell starts from the same initial weights with a fresh implementation object.

The timed region is the training epochs only: each epoch is bracketed by perf_counter (wall)
and process_time (CPU of all the process's threads), and by /proc/stat's tick counts, which
say how much CPU other work took from the run's CPUs meanwhile (mlpbench.measure.interference). Data
loading, preparation, model building, compilation (prime, then any warm-up epochs), the peak
probe and evaluation happen outside it; the record's untimed_s says how long each took.
"""

import math
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from statistics import median

from mlpbench.measure.interference import InterferenceMeter
from mlpbench.measure.records import base_record, write_atomic
from mlpbench.measure.threads import os_thread_count, pin_to_cpus


@dataclass(frozen=True)
class Run:
    """The parameters of one run: one cell (impl, device, dtype, batch, threads) measured in
    one process, over `epochs` timed epochs after `warmup_epochs`."""

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


def too_few_cpus(threads, cpus):
    """Why a run of `threads` threads cannot run where `cpus` CPUs may be used, or None."""
    return f"needs {threads} CPUs, this process may use {cpus}" if threads > cpus else None


def skip_reason(impl, cell, cpus):
    """Why `cell` cannot run in this process, or None: the one decision (the workflow adds
    one more, outside any process: GPU cells where Docker offers no GPU, study.runner.decide).

    impl: an instance of the cell's implementation; cpus: how many CPUs this process may use.
    """
    if too_few := too_few_cpus(cell.threads, cpus):
        return too_few
    if cell.device not in impl.devices:
        return f"{impl.name} runs on the {' or '.join(impl.devices)} only"
    reason = impl.skip(cell.dtype, cell.batch, cell.threads)
    if reason or cell.device == "cpu":
        return reason
    return impl.no_gpu()  # impl.skip found its framework installed


class EpochClock:
    """Wall and CPU time of each epoch, the interference on its CPUs, the most OS threads."""

    def __init__(self, meter=None):
        self.wall, self.cpu, self.threads_seen = [], [], 0
        self.interference, self.machine_busy = [], []
        self.meter = meter or InterferenceMeter(os.sched_getaffinity(0))
        # the same over all timed epochs: a short epoch spans few of /proc/stat's ticks
        self.span = InterferenceMeter(self.meter.cpus, self.meter.stat_path)
        self.t_start = self.t_end = None

    def epoch_begin(self, epoch):
        if self.t_start is None:
            self.t_start = time.time()
            self.span.begin()
        self.meter.begin()  # outside the timed interval: reading /proc costs ~0.1 ms
        self._cpu0 = time.process_time()
        self._wall0 = time.perf_counter()

    def epoch_end(self, epoch):
        wall = time.perf_counter() - self._wall0
        cpu = time.process_time() - self._cpu0
        shared = self.meter.end()
        self.t_end = time.time()
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.interference.append(shared["interference"])
        self.machine_busy.append(shared["machine_busy"])
        self.threads_seen = max(self.threads_seen, os_thread_count() or 0)


def time_runs(cells, data_path, out_pattern, hyper=None):
    """Time `cells` (Run; same impl, threads and device) in this order, writing each record to
    out_pattern.format(dtype=, batch=) as soon as it is done. Returns the records.

    Call set_thread_env(threads) before NumPy is first imported.
    """
    threads, device = cells[0].threads, cells[0].device
    if any((c.impl, c.threads, c.device) != (cells[0].impl, threads, device) for c in cells):
        raise ValueError("the cells of one process share impl, threads and device")
    cpus = len(os.sched_getaffinity(0))
    if threads <= cpus:
        pin_to_cpus(threads)
    records, dataset, prepared = [], None, {}
    for cell in cells:
        if dataset is None and threads <= cpus:
            from mlpbench.measure import data

            dataset = data.load(data_path)
        record = time_run(cell, dataset, hyper, cpus, prepared)
        write_atomic(record, str(out_pattern).format(dtype=cell.dtype, batch=cell.batch))
        records.append(record)
    return records


@contextmanager
def _spent(untimed, part):
    t0 = time.perf_counter()
    yield
    untimed[part] = time.perf_counter() - t0


def time_run(cell, raw_data, hyper=None, cpus=None, prepared=None):
    """Run one cell on loaded MNIST (data.load) in this process; return its record.

    cpus: how many CPUs the process could use before it pinned itself (default: as now);
    prepared: {(dtype, subset): data.prepare's Dataset}, shared by a process's cells.
    """
    from threadpoolctl import threadpool_info, threadpool_limits

    from mlpbench.measure import data, flops, model, peak, provenance
    from mlpbench.measure.implementations import REGISTRY

    hyper = hyper or model.Hyper()
    impl_cls = REGISTRY[cell.impl]
    record = base_record(cell.__dict__, impl_cls.workload, hyper.as_dict())
    impl = impl_cls()
    cpus = len(os.sched_getaffinity(0)) if cpus is None else cpus
    reason = skip_reason(impl, cell, cpus)
    if reason:
        record.update(status="skipped", reason=reason,
                      provenance=provenance.collect(threadpool_info()))
        return record

    prepared = {} if prepared is None else prepared
    untimed = {}  # seconds of each untimed part of the run, in order
    with threadpool_limits(limits=cell.threads):
        # the CPU's GEMM rate with the same BLAS, threads and dtype, before TensorFlow loads
        with _spent(untimed, "probe"):
            probe = {} if cell.device != "cpu" else peak.probe(
                cell.dtype, cell.batch, shapes=impl.probes_shapes)
        with _spent(untimed, "prepare"):
            key = (cell.dtype, cell.subset)
            if key not in prepared:
                prepared[key] = data.prepare(raw_data, cell.dtype, cell.subset)
            dataset = prepared[key]
        with _spent(untimed, "setup"):
            params = model.init_params(cell.seed, cell.dtype)
            impl.setup(dataset, params, hyper, cell.batch, cell.seed, cell.threads)
        with _spent(untimed, "prime"):
            impl.prime()
        with _spent(untimed, "warmup"):
            impl.warm_up(cell.warmup_epochs)
        clock = EpochClock()
        impl.train(range(cell.warmup_epochs, cell.warmup_epochs + cell.epochs), clock)
        for part, seconds in impl.untimed_in_train_s.items():  # Keras warms up inside fit()
            untimed[part] += seconds
        blas = threadpool_info()  # inside the limit: shows the thread count in force

    with _spent(untimed, "evaluate"):
        trained = impl.get_params()
        train_acc = train_loss = test_acc = test_loss = None
        if model.all_finite(trained):
            train_acc, train_loss = model.evaluate(trained, dataset.x_train, dataset.y_train)
            test_acc, test_loss = model.evaluate(trained, dataset.x_test, dataset.y_test)
    if not all(map(_finite, (train_loss, test_loss))):
        record.update(status="invalid", reason="training went non-finite (NaN or inf)")
        train_loss = test_loss = None
    wall_median = median(clock.wall)
    record.update(
        epoch_wall_s=clock.wall,
        epoch_cpu_s=clock.cpu,
        cpu_per_wall=[c / w for c, w in zip(clock.cpu, clock.wall, strict=True)],
        interference=clock.interference,
        machine_busy=clock.machine_busy,
        interference_run=clock.span.end()["interference"],
        epoch_wall_s_median=wall_median,
        achieved_gflops=flops.achieved_gflops(len(dataset.x_train), cell.batch, wall_median),
        peak_gflops=probe.get("square_gflops"),
        peak_gflops_shapes=probe.get("shapes_gflops"),
        os_threads=clock.threads_seen,
        warmup_steps=impl.warmup_steps,
        untimed_s=untimed,
        phase_s=impl.phase_s,
        train_accuracy=train_acc,
        test_accuracy=test_acc,
        train_loss=train_loss,
        test_loss=test_loss,
        t_start=clock.t_start,
        t_end=clock.t_end,
        impl_info=impl.info(),
        provenance=provenance.collect(blas),
    )
    return record


def _finite(v):
    return v is not None and math.isfinite(v)
