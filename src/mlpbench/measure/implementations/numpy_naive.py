"""numpy-naive: the article's starting point, kept as slow as it was.

Samples are columns: activations A (n_nodes, batch). Each weight matrix W_N (n_{N+1}, n_N + 1)
carries the bias in column 0, so a row of ones is concatenated onto every layer's activations
(forward) and onto every Z (backward) by copying into a fresh array. The sigmoid derivative is
recomputed from Z, deltas are propagated all the way down to the input layer (work that is
thrown away), and the L1 term is computed although lambda1 = 0.
"""

import numpy as np

from mlpbench.measure.implementations.base import NumpyImplementation
from mlpbench.measure.model import sigmoid

L1 = 0.0  # the article's lambda1_reg: always computed, never used


def add_bias_row(a):
    """A new (n + 1, batch) array with a row of ones on top (the article's way)."""
    a_new = np.ones((a.shape[0] + 1, a.shape[1]), dtype=a.dtype)
    a_new[1:, :] = a
    return a_new


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1.0 - s)


class NumpyNaive(NumpyImplementation):
    name = "numpy-naive"
    summary = "article, before Step I: deltas down to the input layer, bias by concatenation"

    # lowest layer that receives a delta: 0 = down to the input layer (thrown away)
    lowest_delta_layer = 0
    # compute the L1 and L2 terms even when their lambda is 0 (the article did)
    always_regularize = True

    def _load(self, params):
        self.w = [np.ascontiguousarray(np.hstack([b[:, None], w.T])) for w, b in params]
        self.mom = [np.zeros_like(w) for w in self.w]

    def _export(self):
        return [(w[:, 1:].T, w[:, 0]) for w in self.w]

    def _export_gradients(self):
        return [(g[:, 1:].T, g[:, 0]) for g in self.grad]

    def _forward(self, xb):
        a = xb.T  # (784, batch), samples as columns
        self.z_in, self.a_out = [a], []
        for w in self.w:
            a_b = add_bias_row(a)
            self.a_out.append(a_b)
            z = w.dot(a_b)
            self.z_in.append(z)
            a = sigmoid(z)
        self.a_final = a

    def _backward(self, yb):
        n_layers = len(self.w)
        delta = (self.a_final - yb.T) / yb.shape[0]
        self.grad = [None] * n_layers
        for n in reversed(range(n_layers)):
            w = self.w[n]
            grad = np.dot(delta, self.a_out[n].T)
            if self.always_regularize:
                grad[:, 1:] += w[:, 1:] * self.hyper.l2 + np.sign(w[:, 1:]) * L1
            elif self.hyper.l2 > 0.0:
                grad[:, 1:] += w[:, 1:] * self.hyper.l2
            self.grad[n] = grad
            if n >= self.lowest_delta_layer:
                z_b = add_bias_row(self.z_in[n])
                d = sigmoid_derivative(z_b)
                delta = (w.T.dot(delta) * d)[1:, :]

    def _update(self, lr):
        for i, grad in enumerate(self.grad):
            self.mom[i] = self.hyper.mom_rate * self.mom[i] - lr * grad
            self.w[i] = self.w[i] + self.mom[i]
