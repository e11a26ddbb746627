"""Shared PyTorch set-up: import on first use with the thread limits, and the matched loop.

Params: a list of (W (n_in, n_out), b (n_out,)) tensors and a velocity of the same shapes.
The step computes model.objective (sigmoid hidden layers, summed sigmoid cross-entropy from the
logits, L2 on weights), takes its gradient by autograd and applies the heavy-ball momentum rule
of model.py itself (torch.optim.SGD's momentum scales the gradient sum by the current lr, which
differs from v = mom * v - lr * g once lr decays). Batches are gathered on the device by the
same per-epoch permutation as the NumPy implementations.

Threads: torch.set_num_threads (intra-op) and set_num_interop_threads before any work; the
second raises once a parallel region has run, as in the tests' shared process, where the first
setting stays and impl_info reports it. CPU cells hide the GPU (timing.set_device_env), so a
visible CUDA device means a GPU cell.
"""

import os

import numpy as np

from mlpbench.measure import DEVICES
from mlpbench.measure.implementations.base import StepLoopImplementation
from mlpbench.measure.model import epoch_permutation, learning_rate


def import_torch(threads):
    # Inductor compiles in this process, not in a pool of workers that outlive it
    os.environ.setdefault("TORCHINDUCTOR_COMPILE_THREADS", "1")
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError:
        pass
    return torch


def no_gpu():
    import torch

    if not torch.cuda.is_available():
        return "PyTorch sees no GPU here (no CUDA device, driver or CUDA-enabled build)"
    return None


def thread_settings(torch):
    return {"torch_intra_op_threads": torch.get_num_threads(),
            "torch_interop_threads": torch.get_num_interop_threads()}


class TorchImplementation(StepLoopImplementation):
    """The matched model in PyTorch; subclasses say how the step runs (eager or compiled)."""

    requires = ("torch",)
    devices = DEVICES

    def setup(self, data, params, hyper, batch, seed, threads):
        torch = self.torch = import_torch(threads)
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.hyper, self.batch, self.seed = hyper, batch, seed
        self.n = len(data.x_train)
        # copies: the prepared arrays are read-only, which torch.from_numpy does not take
        self.x = torch.from_numpy(np.array(data.x_train)).to(self.device)
        self.y = torch.from_numpy(np.array(data.y_train)).to(self.device)
        self.params = [torch.from_numpy(np.array(a)).to(self.device).requires_grad_()
                       for pair in params for a in pair]
        self.velocity = [torch.zeros_like(p) for p in self.params]
        self.dtype = self.x.dtype
        self._loss, self._update = self.prepare(self._matched_loss, self._momentum_update)

    def no_gpu(self):
        return no_gpu()

    def prepare(self, loss, update):
        """The loss and update functions the step calls (compiled, or as they are)."""
        return loss, update

    def _matched_loss(self, params, xb, yb):
        f = self.torch.nn.functional
        a = xb
        for i in range(0, len(params), 2):
            z = self.torch.addmm(params[i + 1], a, params[i])
            a = self.torch.sigmoid(z) if i < len(params) - 2 else z
        data = f.binary_cross_entropy_with_logits(a, yb, reduction="sum") / xb.shape[0]
        return data + 0.5 * self.hyper.l2 * sum((w * w).sum() for w in params[0::2])

    def _momentum_update(self, params, velocity, grads, lr):
        """v = mom * v - lr * g; p += v (lr a 0-d tensor: a new value compiles nothing new)."""
        for p, v, g in zip(params, velocity, grads, strict=True):
            v.mul_(self.hyper.mom_rate).addcmul_(g, lr, value=-1)
            p.add_(v)

    def _step(self, xb, yb, lr):
        for p in self.params:
            p.grad = None
        self._loss(self.params, xb, yb).backward()
        with self.torch.no_grad():
            self._update(self.params, self.velocity, [p.grad for p in self.params], lr)

    def _lr(self, epoch):
        return self.torch.tensor(learning_rate(self.hyper, epoch), dtype=self.dtype,
                                 device=self.device)

    def _sync(self):
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()  # the epoch's queued kernels are done

    def _steps(self, epoch, starts):
        """The epoch's steps at these batch starts; returns when they are done."""
        lr = self._lr(epoch)
        order = self.torch.from_numpy(epoch_permutation(self.seed, epoch, self.n))
        order = order.to(self.device)
        for start in starts:
            idx = order[start : start + self.batch]
            self._step(self.x[idx], self.y[idx], lr)
        self._sync()

    def save_state(self):
        return [t.detach().clone() for t in (*self.params, *self.velocity)]

    def load_state(self, state):
        with self.torch.no_grad():
            for t, value in zip((*self.params, *self.velocity), state, strict=True):
                t.copy_(value)

    def step(self, x, y, epoch=0):
        torch = self.torch
        self._step(torch.tensor(x, device=self.device), torch.tensor(y, device=self.device),
                   self._lr(epoch))

    def get_params(self):
        arrays = [p.detach().cpu().numpy().copy() for p in self.params]
        return [(arrays[i], arrays[i + 1]) for i in range(0, len(arrays), 2)]

    def info(self):
        return {"torch": self.torch.__version__, "torch_device": str(self.device),
                **thread_settings(self.torch)}
