"""numpy-step2: the article's Steps II and III, a clean NumPy MLP.

Samples are rows: activations A (batch, n_nodes), weights W (n_in, n_out) and biases b (n_out,)
kept apart, so no row of ones is ever concatenated (Step II). Every product takes C-contiguous
arrays or their transposed views, which BLAS reads without a copy. The sigmoid derivative comes
from the stored activations A * (1 - A) instead of recomputing sigmoid(Z), and no delta goes to
the input layer (Steps I and III).
"""

import numpy as np

from mlpbench.measure.implementations.base import NumpyImplementation
from mlpbench.measure.model import sigmoid


class NumpyStep2(NumpyImplementation):
    name = "numpy-step2"
    summary = "Steps II+III: separate biases, samples as rows, contiguous operands"
    probes_shapes = True  # the MLP's own products, as NumPy's BLAS runs them (Figure 3's line)

    def _load(self, params):
        self.w = [np.array(w) for w, _ in params]
        self.b = [np.array(b) for _, b in params]
        self.vw = [np.zeros_like(w) for w in self.w]
        self.vb = [np.zeros_like(b) for b in self.b]

    def _export(self):
        return list(zip(self.w, self.b, strict=True))

    def _export_gradients(self):
        return list(zip(self.gw, self.gb, strict=True))

    def _forward(self, xb):
        self.a = [xb]
        for w, b in zip(self.w, self.b, strict=True):
            z = self.a[-1] @ w
            z += b
            self.a.append(sigmoid(z, out=z))

    def _backward(self, yb):
        n_layers = len(self.w)
        delta = self.a[-1] - yb
        delta /= len(yb)
        self.gw, self.gb = [None] * n_layers, [None] * n_layers
        for n in reversed(range(n_layers)):
            gw = self.a[n].T @ delta
            gw += self.hyper.l2 * self.w[n]
            self.gw[n], self.gb[n] = gw, delta.sum(axis=0)
            if n > 0:
                a = self.a[n]
                delta = delta @ self.w[n].T
                delta *= a * (1.0 - a)

    def _update(self, lr):
        mom = self.hyper.mom_rate
        for w, b, vw, vb, gw, gb in zip(self.w, self.b, self.vw, self.vb, self.gw, self.gb,
                                        strict=True):
            vw *= mom
            vw -= lr * gw
            w += vw
            vb *= mom
            vb -= lr * gb
            b += vb
