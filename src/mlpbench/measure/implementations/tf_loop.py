"""tf-loop: the matched model on TensorFlow's low-level API, with our own loop.

Variables W (n_in, n_out) and b (n_out,) per layer; one tf.function step that gathers its batch
from the full training tensors on the device, takes the gradient of model.objective with
GradientTape and applies the heavy-ball momentum update. The Python loop walks the same
per-epoch permutation as the NumPy implementations, so all of them see the same batches.
A process builds the tensors, variables and steps once per dataset (COMPILED), and each cell
sets them to its initial weights and zero velocities.
"""

import numpy as np

from mlpbench.measure import DEVICES
from mlpbench.measure.implementations._tf import import_tensorflow, thread_settings
from mlpbench.measure.implementations.base import StepLoopImplementation
from mlpbench.measure.model import epoch_permutation, learning_rate

COMPILED = {}  # (prepared data's id, hyper) -> its Training, built once per process


class Training:
    """The training set as device tensors, the variables, their velocities and the traced steps:
    built once per process and data (0.25-0.6 s of set-up per cell when built per cell), then
    reused by every cell, which sets the variables to its initial weights and the velocities to
    zero."""

    def __init__(self, tf, data, params, hyper):
        self.data = data  # kept alive: its id stays unique
        self.x, self.y = x, y = tf.constant(data.x_train), tf.constant(data.y_train)
        self.w = ws = [tf.Variable(w) for w, _ in params]
        self.b = bs = [tf.Variable(b) for _, b in params]
        self.vars = [v for pair in zip(ws, bs, strict=True) for v in pair]
        self.velocity = [tf.Variable(tf.zeros_like(v)) for v in self.vars]
        l2, mom, dtype = hyper.l2, hyper.mom_rate, x.dtype

        def loss_fn(xb, yb):
            a = xb
            for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
                z = tf.matmul(a, w) + b
                a = tf.sigmoid(z) if i < len(ws) - 1 else z
            data_loss = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(yb, a))
            data_loss /= tf.cast(tf.shape(xb)[0], dtype)
            return data_loss + 0.5 * l2 * tf.add_n([tf.reduce_sum(w * w) for w in ws])

        def apply(xb, yb, lr):
            with tf.GradientTape() as tape:
                loss = loss_fn(xb, yb)
            grads = tape.gradient(loss, self.vars)
            for v, m, g in zip(self.vars, self.velocity, grads, strict=True):
                m.assign(mom * m - lr * g)
                v.assign_add(m)

        spec = tf.TensorSpec
        self.step_idx = tf.function(
            lambda idx, lr: apply(tf.gather(x, idx), tf.gather(y, idx), lr),
            input_signature=[spec([None], tf.int64), spec([], dtype)])
        self.step_batch = tf.function(apply, input_signature=[
            spec([None, x.shape[1]], dtype), spec([None, y.shape[1]], dtype), spec([], dtype)])


class TfLoop(StepLoopImplementation):
    name = "tf-loop"
    requires = ("tensorflow",)
    devices = DEVICES
    summary = "tf.function training step (GradientTape) in a Python loop"

    def setup(self, data, params, hyper, batch, seed, threads):
        tf = self.tf = import_tensorflow(threads)
        self.hyper, self.batch, self.seed = hyper, batch, seed
        self.n = len(data.x_train)
        key = (id(data), hyper)
        if key not in COMPILED:
            COMPILED[key] = Training(tf, data, params, hyper)
        t = self.training = COMPILED[key]
        self.x, self.w, self.b, self.vars, self.velocity = t.x, t.w, t.b, t.vars, t.velocity
        self.load_state([a for pair in params for a in pair]
                        + [np.zeros(v.shape, v.dtype.as_numpy_dtype) for v in self.vars])

    def _steps(self, epoch, starts):
        """The epoch's steps at these batch starts; returns when they are done."""
        tf = self.tf
        lr = tf.constant(learning_rate(self.hyper, epoch), dtype=self.x.dtype)
        order = tf.constant(epoch_permutation(self.seed, epoch, self.n))
        for start in starts:
            self.training.step_idx(order[start : start + self.batch], lr)
        self.w[-1].numpy()  # wait for the queued steps (a GPU runs asynchronously)

    def save_state(self):
        return [v.numpy() for v in (*self.vars, *self.velocity)]

    def load_state(self, state):
        for v, value in zip((*self.vars, *self.velocity), state, strict=True):
            v.assign(value)

    def step(self, x, y, epoch=0):
        self.training.step_batch(x, y, self.tf.constant(learning_rate(self.hyper, epoch), x.dtype))

    def get_params(self):
        return [(np.asarray(w.numpy()), np.asarray(b.numpy()))
                for w, b in zip(self.w, self.b, strict=True)]

    def info(self):
        return thread_settings(self.tf)
