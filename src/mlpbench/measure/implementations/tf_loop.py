"""tf-loop: the matched model on TensorFlow's low-level API, with our own loop.

Variables W (n_in, n_out) and b (n_out,) per layer; one tf.function step that gathers its batch
from the full training tensors on the device, takes the gradient of model.objective with
GradientTape and applies the heavy-ball momentum update. The Python loop walks the same
per-epoch permutation as the NumPy implementations, so all of them see the same batches.
"""

import numpy as np

from mlpbench.measure import DEVICES
from mlpbench.measure.implementations._tf import import_tensorflow, thread_settings
from mlpbench.measure.implementations.base import StepLoopImplementation
from mlpbench.measure.model import epoch_permutation, learning_rate


class TfLoop(StepLoopImplementation):
    name = "tf-loop"
    requires = ("tensorflow",)
    devices = DEVICES
    summary = "tf.function training step (GradientTape) in a Python loop"

    def setup(self, data, params, hyper, batch, seed, threads):
        tf = self.tf = import_tensorflow(threads)
        self.hyper, self.batch, self.seed = hyper, batch, seed
        self.n = len(data.x_train)
        self.x, self.y = tf.constant(data.x_train), tf.constant(data.y_train)
        dtype = self.x.dtype
        self.w = [tf.Variable(w) for w, _ in params]
        self.b = [tf.Variable(b) for _, b in params]
        self.vars = [v for pair in zip(self.w, self.b, strict=True) for v in pair]
        self.velocity = [tf.Variable(tf.zeros_like(v)) for v in self.vars]
        l2, mom = hyper.l2, hyper.mom_rate

        def loss_fn(xb, yb):
            a = xb
            for i, (w, b) in enumerate(zip(self.w, self.b, strict=True)):
                z = tf.matmul(a, w) + b
                a = tf.sigmoid(z) if i < len(self.w) - 1 else z
            data_loss = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(yb, a))
            data_loss /= tf.cast(tf.shape(xb)[0], dtype)
            return data_loss + 0.5 * l2 * tf.add_n([tf.reduce_sum(w * w) for w in self.w])

        def apply(xb, yb, lr):
            with tf.GradientTape() as tape:
                loss = loss_fn(xb, yb)
            grads = tape.gradient(loss, self.vars)
            for v, m, g in zip(self.vars, self.velocity, grads, strict=True):
                m.assign(mom * m - lr * g)
                v.assign_add(m)

        spec = tf.TensorSpec
        idx_sig = [spec([None], tf.int64), spec([], dtype)]
        self._step_idx = tf.function(
            lambda idx, lr: apply(tf.gather(self.x, idx), tf.gather(self.y, idx), lr),
            input_signature=idx_sig)
        batch_sig = [spec([None, self.x.shape[1]], dtype), spec([None, self.y.shape[1]], dtype),
                     spec([], dtype)]
        self._step_batch = tf.function(apply, input_signature=batch_sig)

    def _steps(self, epoch, starts):
        """The epoch's steps at these batch starts; returns when they are done."""
        tf = self.tf
        lr = tf.constant(learning_rate(self.hyper, epoch), dtype=self.x.dtype)
        order = tf.constant(epoch_permutation(self.seed, epoch, self.n))
        for start in starts:
            self._step_idx(order[start : start + self.batch], lr)
        self.w[-1].numpy()  # wait for the queued steps (a GPU runs asynchronously)

    def save_state(self):
        return [v.numpy() for v in (*self.vars, *self.velocity)]

    def load_state(self, state):
        for v, value in zip((*self.vars, *self.velocity), state, strict=True):
            v.assign(value)

    def step(self, x, y, epoch=0):
        self._step_batch(x, y, self.tf.constant(learning_rate(self.hyper, epoch), x.dtype))

    def get_params(self):
        return [(np.asarray(w.numpy()), np.asarray(b.numpy()))
                for w, b in zip(self.w, self.b, strict=True)]

    def info(self):
        return thread_settings(self.tf)
