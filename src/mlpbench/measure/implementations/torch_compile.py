"""torch-compile: torch-eager with the loss and the update compiled by torch.compile (inductor).

The forward pass with the loss is one compiled graph (AOTAutograd compiles its backward too),
the momentum update another; the learning rate is a 0-d tensor, so its per-epoch decay
compiles nothing new. Compilation happens at the first step, in prime()'s steps (undone):
impl_info gives the first step's seconds (compile included) beside the median of the others
prime() ran; the timed epochs run without that bookkeeping. Inductor
fixes its CPU kernels' thread count at compile time, after import_torch set it, and compiles
in this process (TORCHINDUCTOR_COMPILE_THREADS=1). It needs a C++ compiler and Python's
headers (the torch image has g++ and them); without them the cell is skipped with the reason.
"""

import shutil
import sysconfig
from pathlib import Path
from time import perf_counter

from mlpbench.measure.implementations._torch import TorchImplementation


class TorchCompile(TorchImplementation):
    name = "torch-compile"
    summary = "PyTorch with loss and update under torch.compile (inductor)"

    def skip(self, dtype, batch, threads):
        if not shutil.which("g++") and not shutil.which("c++"):
            return "torch.compile (inductor) needs a C++ compiler (g++), which is not installed"
        if not (Path(sysconfig.get_paths()["include"]) / "Python.h").exists():
            return "torch.compile (inductor) needs Python's headers (Python.h), not installed"
        return super().skip(dtype, batch, threads)

    def prepare(self, loss, update):
        compile_ = self.torch.compile
        self.first_step_s, self.step_s, self.priming = None, [], False
        return compile_(loss, dynamic=False), compile_(update, dynamic=False)

    def prime(self):
        self.priming = True
        try:
            super().prime()
        finally:
            self.priming = False

    def _step(self, xb, yb, lr):
        if not self.priming:
            return super()._step(xb, yb, lr)
        t0 = perf_counter()  # prime's steps: how long compiling took, against the rest
        super()._step(xb, yb, lr)
        self._sync()
        seconds = perf_counter() - t0
        if self.first_step_s is None:
            self.first_step_s = seconds
        else:
            self.step_s.append(seconds)

    def info(self):
        steps = sorted(self.step_s)
        return {**super().info(), "compiled": "inductor",
                "first_step_s": self.first_step_s,
                "later_step_s": steps[len(steps) // 2] if steps else None}
