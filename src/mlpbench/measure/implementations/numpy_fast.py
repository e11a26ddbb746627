"""numpy-fast: the matched workload as fast as NumPy allows on this machine.

The maths is numpy-step2's (samples as rows, biases apart, no delta to the input layer); what
changes is how it is executed:

- every array is allocated once in setup(): products write with `out=`, the sigmoid and its
  derivative work in place, nothing is allocated per batch;
- a batch is cut into chunks of at most CHUNK rows, each gathered by the epoch's permutation
  (np.take) into a small buffer that stays in cache for both products that read it;
- the first layer, the only wide one, is shaped for OpenBLAS: W1T (P, 785), its bias as the
  last column (the chunk buffer has a column of ones), its 70 units padded to P = 72 (zero
  rows, met by zero rows of W2), its weight gradient taken as D.T @ X, which is W1T's layout;
- parameters, velocity and gradients are each one flat vector: the update is five passes;
- with T threads the chunks are shared among T workers, each running single-threaded BLAS on
  its own buffers: one gradient sum and one update per batch, the same step as with one thread;
- 1 / B and the learning rate are folded into the output delta, so the weight-gradient
  products yield -lr * grad directly; no loss is computed while training.
"""

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from time import perf_counter

import numpy as np

from mlpbench.measure.implementations.base import NumpyImplementation
from mlpbench.measure.model import learning_rate, sigmoid

CHUNK = 500  # rows per chunk: its input (1.5 MB in float32) stays in cache for both products
MIN_SHARD = 64  # fewer rows per worker than this: not worth another thread
# OpenBLAS's kernels run 72 first-layer units faster than 70: 0.95-0.97x the epoch, measured
# against 70 side by side (float32 and float64, batch 500 and 10,000, 1 thread)
PAD = 8


class Layout:
    """Where the parameters sit in a flat vector: [W1T (P, n0 + 1) | W2 (P, n2) | b2 | W3 | b3].
    W2's rows past n1 and W1T's past n1 are padding, always 0."""

    def __init__(self, sizes):
        self.sizes = sizes
        self.units = -(-sizes[1] // PAD) * PAD  # P
        self.shapes = [(self.units, sizes[0] + 1)]
        for n_in, n_out in zip([self.units] + sizes[2:-1], sizes[2:], strict=True):
            self.shapes += [(n_in, n_out), (n_out,)]
        self.size = sum(int(np.prod(s)) for s in self.shapes)

    def views(self, flat):
        """[W1T, W2, b2, W3, b3, ...] as views of flat."""
        out, start = [], 0
        for shape in self.shapes:
            stop = start + int(np.prod(shape))
            out.append(flat[start:stop].reshape(shape))
            start = stop
        return out

    def l2_mask(self, dtype):
        """1 where L2 applies (the weights), 0 on biases and padding."""
        mask = np.zeros(self.size, dtype)
        w1t, w2, *rest = self.views(mask)
        w1t[: self.sizes[1], : self.sizes[0]] = w2[: self.sizes[1]] = 1
        for w in rest[1::2]:
            w[:] = 1
        return mask


class Worker:
    """One thread's buffers: a gathered chunk with a column of ones, activations, deltas (the
    first layer's padding columns always 0), a flat gradient sum."""

    def __init__(self, layout, rows, dtype):
        sizes, units = layout.sizes, layout.units
        widths = [units] + sizes[2:]
        self.x = np.ones((rows, sizes[0] + 1), dtype)
        self.y = np.empty((rows, sizes[-1]), dtype)
        self.a = [np.empty((rows, n), dtype) for n in widths]
        self.d = [np.zeros((rows, n), dtype) for n in widths]
        self.tmp = [np.empty((rows, n), dtype) for n in widths[:-1]]
        self.grad, self.grad_chunk = np.zeros((2, layout.size), dtype)
        self.g, self.g_chunk = layout.views(self.grad), layout.views(self.grad_chunk)
        self.t_fwd = self.t_bwd = self.t_gather = 0.0


class NumpyFast(NumpyImplementation):
    name = "numpy-fast"
    summary = "preallocated, in place, cache-sized chunks, BLAS-shaped first layer, threads"

    def setup(self, data, params, hyper, batch, seed, threads):
        self.workers, self.pool = [], None
        super().setup(data, params, hyper, batch, seed, threads)
        self.threads = threads
        # the inputs with a column of ones (first layer's bias), once, outside the timed region
        self.x1 = np.ones((len(self.x), self.x.shape[1] + 1), self.x.dtype)
        self.x1[:, :-1] = self.x
        self._workers_for(batch)

    def _load(self, params):
        dtype = params[0][0].dtype
        self.layout = Layout([params[0][0].shape[0]] + [w.shape[1] for w, _ in params])
        n0, n1 = self.layout.sizes[:2]
        self.theta, self.velocity, self.decay = np.zeros((3, self.layout.size), dtype)
        self.l2_mask, self.l2_rate = self.layout.l2_mask(dtype), None
        views = self.layout.views(self.theta)
        self.w1t = views[0]
        self.w1t[:n1, :n0] = params[0][0].T
        self.w1t[:n1, n0] = params[0][1]
        for (w, b), w_view, b_view in zip(params[1:], views[1::2], views[2::2], strict=True):
            w_view[: len(w)], b_view[:] = w, b
        self.held = views[1::2]  # W2 (P, n2) with rows of zeros against the padding units, W3
        self.w = [self.w1t[:n1, :n0].T, self.held[0][:n1]] + views[3::2]  # canonical views
        self.b = [self.w1t[:n1, n0]] + views[2::2]
        self.sizes, self.dtype = self.layout.sizes, dtype

    def _workers_for(self, n):
        """Enough workers, with buffers big enough, for batches of n rows."""
        n_workers = max(1, min(getattr(self, "threads", 1), n // MIN_SHARD))
        rows = min(CHUNK, -(-n // n_workers))
        if (len(self.workers) != n_workers or self.workers[0].x.shape[0] < rows):
            self.workers = [Worker(self.layout, rows, self.dtype) for _ in range(n_workers)]
            if self.pool is not None:
                self.pool.shutdown()
            self.pool = ThreadPoolExecutor(n_workers - 1) if n_workers > 1 else None
        return self.workers

    def _shares(self, n, n_workers):
        """Row ranges [start, stop) of each worker's share of a batch of n rows."""
        bounds = [n * k // n_workers for k in range(n_workers + 1)]
        return list(zip(bounds[:-1], bounds[1:], strict=True))

    def _chunk(self, wk, m, y, scale, first):
        """Forward and backward on wk.x[:m]; add scale * its data gradient to wk.grad."""
        t0 = perf_counter()
        x1 = wk.x[:m]
        a0 = sigmoid(np.matmul(x1, self.w1t.T, out=wk.a[0][:m]), out=wk.a[0][:m])
        acts = [a0]  # the padding units' 0.5 meets W2's rows of zeros
        for w, b, a in zip(self.held, self.b[1:], wk.a[1:], strict=True):
            z = np.matmul(acts[-1], w, out=a[:m])
            z += b
            acts.append(sigmoid(z, out=z))
        t1 = perf_counter()
        g = wk.g if first else wk.g_chunk
        d = np.subtract(acts[-1], y, out=wk.d[-1][:m])
        d *= scale
        for n in reversed(range(1, len(self.w))):
            a = acts[n - 1]
            a_real = a[:, : self.w[n].shape[0]]  # W2's padding rows get no gradient, stay 0
            np.matmul(a_real.T, d, out=g[2 * n - 1][: a_real.shape[1]])
            np.add.reduce(d, axis=0, out=g[2 * n])
            d_below = np.matmul(d, self.held[n - 1].T, out=wk.d[n - 1][:m])  # padding: 0
            tmp = np.subtract(1.0, a, out=wk.tmp[n - 1][:m])
            tmp *= a
            d_below *= tmp
            d = d_below
        np.matmul(wk.d[0][:m].T, x1, out=g[0])  # [gW1.T | gb1], padding rows 0
        if not first:
            wk.grad += wk.grad_chunk
        t2 = perf_counter()
        wk.t_fwd += t1 - t0
        wk.t_bwd += t2 - t1

    def _share(self, k, start, stop, scale, x_src, y_src, order):
        """Worker k's rows [start, stop) of the batch, chunk by chunk."""
        wk = self.workers[k]
        rows = wk.x.shape[0]
        for s in range(start, stop, rows):
            e = min(s + rows, stop)
            m, t0 = e - s, perf_counter()
            if order is None:  # a given batch (step, gradients): copy it beside the ones
                wk.x[:m, :-1] = x_src[s:e]
                y = y_src[s:e]
            else:
                # mode="clip": the indices are valid, and "raise" would buffer the output
                np.take(x_src, taken := order[s:e], axis=0, out=wk.x[:m], mode="clip")
                y = np.take(y_src, taken, axis=0, out=wk.y[:m], mode="clip")
            wk.t_gather += perf_counter() - t0
            self._chunk(wk, m, y, scale, first=s == start)

    def _gradient(self, x_src, y_src, n, scale, order=None):
        """scale * the batch's data gradient, summed into workers[0].grad."""
        workers = self._workers_for(n)
        shares = self._shares(n, len(workers))
        futures = [self.pool.submit(self._share, k, *shares[k], scale, x_src, y_src, order)
                   for k in range(1, len(workers))]
        self._share(0, *shares[0], scale, x_src, y_src, order)
        t0 = perf_counter()
        for f in futures:
            f.result()
        total = workers[0]
        for wk in workers[1:]:
            total.grad += wk.grad
        total.t_bwd += perf_counter() - t0  # waiting for the others and the sum
        return total

    def _apply(self, total, lr):
        """Heavy-ball step; total.grad holds -lr * data gradient: v = mom v - lr (g + l2 w)."""
        if self.l2_rate != lr:  # once per epoch: lr * l2 on the weights, 0 elsewhere
            self.l2_rate = lr
            self.l2_scaled = self.l2_mask * (lr * self.hyper.l2)
        np.multiply(self.theta, self.l2_scaled, out=self.decay)
        self.velocity *= self.hyper.mom_rate
        self.velocity += total.grad
        self.velocity -= self.decay
        self.theta += self.velocity

    def _blas_single(self):
        """Single-threaded BLAS whenever threads > 1: all parallelism is the workers'."""
        if self.threads < 2:
            return nullcontext()
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1, user_api="blas")

    def train(self, epochs, clock):
        batch = self.batch
        self._workers_for(batch)
        with self._blas_single():
            for lr, order, phases in self._epochs(epochs, clock):
                t_upd = 0.0
                for wk in self.workers:
                    wk.t_fwd = wk.t_bwd = wk.t_gather = 0.0
                for start in range(0, len(order), batch):
                    idx = order[start : start + batch]
                    total = self._gradient(self.x1, self.y, len(idx), -lr / len(idx), idx)
                    t0 = perf_counter()
                    self._apply(total, lr)
                    t_upd += perf_counter() - t0
                main = self.workers[0]
                phases.update(forward=main.t_fwd, backward=main.t_bwd, update=t_upd,
                              shuffle=phases["shuffle"] + main.t_gather)

    def step(self, x, y, epoch=0):
        lr = learning_rate(self.hyper, epoch)
        self._workers_for(len(x))
        with self._blas_single():
            self._apply(self._gradient(x, y, len(x), -lr / len(x)), lr)

    def gradients(self, x, y):
        g = self._gradient(x, y, len(x), 1.0 / len(x)).g
        n0, n1 = self.sizes[:2]
        grads = [(g[0][:n1, :n0].T, g[0][:n1, n0]), (g[1][:n1], g[2])]
        grads += list(zip(g[3::2], g[4::2], strict=True))
        return [(gw + self.hyper.l2 * w, gb.copy())
                for (gw, gb), w in zip(grads, self.w, strict=True)]

    def _export(self):
        return list(zip(self.w, self.b, strict=True))

    def info(self):
        return {"workers": len(self.workers), "chunk_rows": int(self.workers[0].x.shape[0])
                if self.workers else None, "first_layer_units": self.layout.units}
