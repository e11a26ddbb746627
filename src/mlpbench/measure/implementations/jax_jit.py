"""jax-jit: the matched model in JAX, one jax.jit-compiled training step in our own loop.

Params: a list of (W (n_in, n_out), b (n_out,)) arrays, and a velocity of the same shapes. The
step gathers its batch from the full training arrays (passed as arguments, not baked into the
program as constants), takes jax.grad of model.objective and applies the heavy-ball momentum
update; it compiles once per batch shape, in prime()'s two steps, whose effect is undone. The
Python loop walks the same per-epoch permutation as the NumPy implementations, so all of them
see the same batches.

JAX dispatches asynchronously, on the CPU too: each epoch ends with block_until_ready() before
the clock reads the time. float64 needs jax_enable_x64, turned on before any array exists
(float32 arrays stay float32). JAX has no thread-count setting: it sizes its pool from the
process's CPU affinity, which measure.timing sets (measure.threads.pin_to_cpus) before set-up
imports JAX. The record's impl_info names the device JAX used.
"""

import numpy as np

from mlpbench.measure import DEVICES
from mlpbench.measure.implementations._jax import import_jax, no_gpu
from mlpbench.measure.implementations.base import StepLoopImplementation
from mlpbench.measure.model import epoch_permutation, learning_rate


class JaxJit(StepLoopImplementation):
    name = "jax-jit"
    requires = ("jax",)
    devices = DEVICES  # a GPU where one is visible (the CUDA image); CPU cells hide it
    summary = "jax.jit-compiled training step (jax.grad) in a Python loop"

    def no_gpu(self):
        return no_gpu()

    def setup(self, data, params, hyper, batch, seed, threads):
        jax = self.jax = import_jax()
        jnp = jax.numpy
        self.hyper, self.batch, self.seed = hyper, batch, seed
        self.n = len(data.x_train)
        self.x, self.y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
        self.params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in params]
        self.velocity = jax.tree.map(jnp.zeros_like, self.params)
        self.dtype = self.x.dtype
        l2, mom = hyper.l2, hyper.mom_rate

        def loss(params, xb, yb):
            a = xb
            for i, (w, b) in enumerate(params):
                z = a @ w + b
                a = jax.nn.sigmoid(z) if i < len(params) - 1 else z
            # sigmoid cross-entropy from the logits, stable for large |z|
            per_element = jnp.maximum(a, 0) - a * yb + jnp.log1p(jnp.exp(-jnp.abs(a)))
            penalty = 0.5 * l2 * sum(jnp.sum(w * w) for w, _ in params)
            return jnp.sum(per_element) / xb.shape[0] + penalty

        def update(params, velocity, xb, yb, lr):
            grads = jax.grad(loss)(params, xb, yb)
            velocity = jax.tree.map(lambda m, g: mom * m - lr * g, velocity, grads)
            return jax.tree.map(lambda p, m: p + m, params, velocity), velocity

        self._step_idx = jax.jit(
            lambda params, velocity, x, y, idx, lr: update(params, velocity, x[idx], y[idx], lr),
            donate_argnums=(0, 1))
        self._step_batch = jax.jit(update, donate_argnums=(0, 1))

    def _lr(self, epoch):
        return self.jax.numpy.asarray(learning_rate(self.hyper, epoch), self.dtype)

    def _steps(self, epoch, starts):
        """The epoch's steps at these batch starts; returns when they are done."""
        jnp = self.jax.numpy
        lr = self._lr(epoch)
        order = jnp.asarray(epoch_permutation(self.seed, epoch, self.n))
        for start in starts:
            self.params, self.velocity = self._step_idx(
                self.params, self.velocity, self.x, self.y, order[start : start + self.batch], lr)
        self.jax.block_until_ready(self.params)  # JAX dispatches asynchronously

    def save_state(self):  # copies: the step donates (frees) the arrays it is given
        return self.jax.tree.map(self.jax.numpy.copy, (self.params, self.velocity))

    def load_state(self, state):
        self.params, self.velocity = state

    def step(self, x, y, epoch=0):
        jnp = self.jax.numpy
        self.params, self.velocity = self._step_batch(
            self.params, self.velocity, jnp.asarray(x), jnp.asarray(y), self._lr(epoch))

    def get_params(self):
        return [(np.asarray(w), np.asarray(b)) for w, b in self.params]

    def info(self):
        return {"jit": True, "jax": self.jax.__version__,
                "jax_devices": [str(d) for d in self.jax.devices()]}
