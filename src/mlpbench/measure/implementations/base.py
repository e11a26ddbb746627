"""What an implementation is (benchopt's solver, in short) and the NumPy training loop.

measure.timing calls, in order: skip() -> setup() -> prime() -> warm_up() (all untimed) -> train()
with a clock whose epoch_begin/epoch_end bracket exactly one epoch each. Tests also call step() and
get_params() to compare implementations update by update.
"""

import importlib.util
from time import perf_counter

import numpy as np

from mlpbench.measure.model import epoch_permutation, learning_rate
from mlpbench.measure.records import PHASES

# Frameworks that are opt-in extras, and how to get them
OPT_IN = {"torch": " (an opt-in extra: bash envs/bootstrap.sh --with torch, or the torch image)"}


class NoClock:
    """The clock used while warming up: measures nothing."""

    def epoch_begin(self, epoch):
        pass

    def epoch_end(self, epoch):
        pass


class Implementation:
    """One way to train the model. Subclasses set name, requires and workload."""

    name = ""
    requires = ()  # importable modules it needs
    devices = ("cpu",)  # where it can run: the grid has cells of it on these only
    workload = "matched"  # "matched": the study's model; "article": the seed article's model
    summary = ""
    cannot_do = {}  # dtype -> why the framework cannot compute in it
    probes_shapes = False  # its runs measure peak.shapes_gflops (the figures' reference line)

    def skip(self, dtype, batch, threads):
        """Why this implementation cannot run the cell here, or None (runner.skip_reason asks
        this among the other reasons)."""
        return self.unavailable(dtype)

    def unavailable(self, dtype):
        """The reasons that hold in any process: a dtype its framework cannot compute in, or
        modules missing here (skip() may add reasons of this process)."""
        return self.cannot_do.get(dtype) or self.not_installed()

    def not_installed(self):
        """Which of the modules it needs are missing here, as a skip reason, or None."""
        missing = [m for m in self.requires if importlib.util.find_spec(m) is None]
        if not missing:
            return None
        reason = f"{self.name} needs {', '.join(missing)}, which is not installed"
        return reason + OPT_IN.get(missing[0], "")

    def no_gpu(self):
        """Why a GPU cell cannot run here (its framework sees no GPU), or None."""
        import tensorflow as tf

        if not tf.config.list_physical_devices("GPU"):
            return "TensorFlow sees no GPU here (no CUDA device, driver or CUDA-enabled build)"
        return None

    def setup(self, data, params, hyper, batch, seed, threads):
        """Take the prepared data and initial params; build everything training needs."""
        raise NotImplementedError

    warmup_steps = 0  # steps that compile and warm a framework, then undone (prime)
    fit_warmup_epochs = 0  # untimed epochs train() runs itself, then undoes (Keras's fit())
    untimed_in_train_s = {}  # {"prime" | "warmup": s} train() spent untimed (Keras's fit)

    def prime(self):
        """Run `warmup_steps` training steps (tracing, compiling, allocating), then put the
        state back: the timed epochs start from the initial weights, as a fresh implementation
        would, without paying for compilation (analysis.warmup checks that it suffices)."""
        if self.warmup_steps:
            state = self.save_state()
            self.train_steps(self.warmup_steps)
            self.load_state(state)

    def save_state(self):
        """Everything training changes (weights, velocity, optimizer's counters), copied."""
        raise NotImplementedError

    def load_state(self, state):
        raise NotImplementedError

    def train_steps(self, steps):
        """Steps of epoch 0 at warm_starts(), as train() runs them, untimed."""
        raise NotImplementedError

    def warm_starts(self, n, steps):
        """The first `steps` batches' starts, and the last batch's when it is shorter: a
        compiling framework then has every batch shape of an epoch compiled."""
        starts = list(range(0, min(n, steps * self.batch), self.batch))
        last = (n - 1) // self.batch * self.batch
        return starts + [last] if n % self.batch and last not in starts else starts

    def warm_up(self, epochs):
        """Untimed epochs that count in the lr schedule and in training (warmup_epochs)."""
        self.train(range(epochs), NoClock())

    def train(self, epochs, clock):
        """Train the given epochs (a range), calling clock around each one."""
        raise NotImplementedError

    def step(self, x, y, epoch=0):
        """One SGD step on exactly this batch (for the equivalence tests)."""
        raise NotImplementedError

    def get_params(self):
        """The current parameters in the canonical layout [(W (n_in, n_out), b (n_out,))]."""
        raise NotImplementedError

    def info(self):
        """Implementation-specific facts for the record (e.g. whether XLA compiled)."""
        return {}

    phase_s = None  # per-phase seconds, one list per phase, one entry per timed epoch


class StepLoopImplementation(Implementation):
    """A framework's compiled step in our own Python loop (jax-jit, tf-loop, PyTorch).

    Subclasses set self.n (training samples) and self.batch in setup() and supply
    _steps(epoch, starts): the steps at these batch starts of the epoch's permutation,
    returning when they are done (a framework may run them asynchronously).
    """

    # the first step traces or compiles it (torch-compile; eager PyTorch warms its allocator),
    # the second runs it as every later one
    warmup_steps = 2

    def _steps(self, epoch, starts):
        raise NotImplementedError

    def train(self, epochs, clock):
        for epoch in epochs:
            clock.epoch_begin(epoch)
            self._steps(epoch, range(0, self.n, self.batch))
            clock.epoch_end(epoch)

    def train_steps(self, steps):
        self._steps(0, self.warm_starts(self.n, steps))


class NumpyImplementation(Implementation):
    """The NumPy loop: shuffle, then per batch forward -> backward -> update, each phase timed.

    Four perf_counter calls per batch cost well under 1% even at batch 50, so the phase
    breakdown is always on. Subclasses supply _load, _forward, _backward, _update and _export,
    or override train/step/gradients themselves (numpy-fast).
    """

    # the first batches' temporaries are fresh memory (glibc maps large blocks, then keeps
    # freed ones for reuse): measured 2.1x slower first epochs at batch 10,000 without this
    warmup_steps = 2

    def setup(self, data, params, hyper, batch, seed, threads):
        self.x, self.y = data.x_train, data.y_train
        self.hyper, self.batch, self.seed = hyper, batch, seed
        self.initial = params
        self._load(params)
        self.phase_s = None

    def save_state(self):
        return self.initial  # _load copies what it takes

    def load_state(self, state):
        self._load(state)

    def train_steps(self, steps):
        order = epoch_permutation(self.seed, 0, len(self.x))
        for start in self.warm_starts(len(order), steps):
            idx = order[start : start + self.batch]
            self.step(self.x[idx], self.y[idx])

    def _epochs(self, epochs, clock):
        """The epoch loop every NumPy implementation shares: yields (lr, order, phases) inside
        the clock's bracket; the body sets phases' forward, backward and update seconds (and
        may add to shuffle, which starts as the permutation's), recorded when timed."""
        timed = not isinstance(clock, NoClock)
        if timed and self.phase_s is None:
            self.phase_s = {p: [] for p in PHASES}
        for epoch in epochs:
            clock.epoch_begin(epoch)
            t0 = perf_counter()
            order = epoch_permutation(self.seed, epoch, len(self.x))
            phases = {"shuffle": perf_counter() - t0}
            yield learning_rate(self.hyper, epoch), order, phases
            clock.epoch_end(epoch)
            if timed:
                for key in PHASES:
                    self.phase_s[key].append(phases[key])

    def train(self, epochs, clock):
        batch = self.batch
        for lr, order, phases in self._epochs(epochs, clock):
            t_fwd = t_bwd = t_upd = t_gather = 0.0
            for start in range(0, len(order), batch):
                t0 = perf_counter()
                idx = order[start : start + batch]
                xb, yb = self.x[idx], self.y[idx]
                t1 = perf_counter()
                self._forward(xb)
                t2 = perf_counter()
                self._backward(yb)
                t3 = perf_counter()
                self._update(lr)
                t4 = perf_counter()
                t_gather += t1 - t0
                t_fwd += t2 - t1
                t_bwd += t3 - t2
                t_upd += t4 - t3
            phases.update(forward=t_fwd, backward=t_bwd, update=t_upd,
                          shuffle=phases["shuffle"] + t_gather)

    def step(self, x, y, epoch=0):
        self._forward(x)
        self._backward(y)
        self._update(learning_rate(self.hyper, epoch))

    def get_params(self):
        return [(np.array(w), np.array(b)) for w, b in self._export()]

    def gradients(self, x, y):
        """Gradients of model.objective in the canonical layout (for the gradient tests)."""
        self._forward(x)
        self._backward(y)
        return self._export_gradients()
