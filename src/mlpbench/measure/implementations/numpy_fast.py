"""numpy-fast: the matched workload as fast as NumPy allows on this machine.

The maths is numpy-step2's (samples as rows, biases apart, no delta to the input layer); what
changes is how it is executed:

- every array is allocated once in setup(): products write with `out=`, the sigmoid and its
  derivative work in place, nothing is allocated per batch;
- a batch is cut into chunks of at most CHUNK rows; each chunk is gathered by the epoch's
  permutation (np.take) into a small contiguous buffer that stays in cache for both products
  that read it (forward and weight gradient), and the chunks' gradients are summed;
- with T threads the chunks are shared among T workers (the calling thread and T - 1 pool
  threads), each running single-threaded BLAS on its own buffers: data parallelism inside the
  batch, one gradient sum and one update per batch, the same step as with one thread;
- no loss is computed while training (the output delta a - y needs none); 1 / B and the
  learning rate are folded into the output delta, so the weight-gradient product yields
  -lr * grad directly, and the L2 term and momentum are applied in the update.
"""

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from time import perf_counter

import numpy as np

from mlpbench.measure.implementations.base import NumpyImplementation
from mlpbench.measure.model import learning_rate, sigmoid

CHUNK = 500  # rows per chunk: one chunk's input (~1.5 MB in float32) stays in cache
MIN_SHARD = 64  # fewer rows per worker than this: not worth another thread


class Worker:
    """One thread's buffers: a gathered chunk, activations, deltas, gradient sums.

    The chunk buffer has one more column than the input, set to 1: the first layer's bias is a
    row of its weights, so its product adds the bias and its weight gradient yields the bias
    gradient (biases fused into the first layer's products).
    """

    def __init__(self, sizes, rows, dtype):
        shapes = list(zip(sizes[:-1], sizes[1:], strict=True))
        self.x = np.ones((rows, sizes[0] + 1), dtype)
        self.y = np.empty((rows, sizes[-1]), dtype)
        self.idx = np.empty(rows, np.intp)
        self.a = [np.empty((rows, n_out), dtype) for _, n_out in shapes]
        self.d = [np.empty((rows, n_out), dtype) for _, n_out in shapes]
        self.tmp = [np.empty((rows, n_out), dtype) for _, n_out in shapes]
        self.gw = [np.empty((sizes[1], sizes[0] + 1), dtype)] + [np.empty(s, dtype)
                                                                for s in shapes[1:]]
        self.gb = [None] + [np.empty(n_out, dtype) for _, n_out in shapes[1:]]
        self.gw_chunk = [np.empty_like(g) for g in self.gw]
        self.gb_chunk = [None if g is None else np.empty_like(g) for g in self.gb]
        self.t_fwd = self.t_bwd = self.t_gather = 0.0


class NumpyFast(NumpyImplementation):
    name = "numpy-fast"
    summary = "preallocated, in place, cache-sized chunks shared among threads"

    def setup(self, data, params, hyper, batch, seed, threads):
        self.workers, self.pool = [], None
        super().setup(data, params, hyper, batch, seed, threads)
        self.threads = threads
        # the inputs with a column of ones (first layer's bias), once, outside the timed region
        self.x1 = np.ones((len(self.x), self.x.shape[1] + 1), self.x.dtype)
        self.x1[:, :-1] = self.x
        self._workers_for(batch)

    def _load(self, params):
        (w1, b1), rest = params[0], params[1:]
        n0 = w1.shape[0]
        # first layer held transposed with its bias as the last column: W1T (n1, n0 + 1)
        self.w1t = np.empty((w1.shape[1], n0 + 1), w1.dtype)
        self.w1t[:, :n0] = w1.T
        self.w1t[:, n0] = b1
        self.w = [self.w1t[:, :n0].T] + [np.array(w, order="C") for w, _ in rest]
        self.b = [self.w1t[:, n0]] + [np.array(b) for _, b in rest]
        self.vw = [np.zeros_like(self.w1t)] + [np.zeros_like(w) for w in self.w[1:]]
        self.vb = [None] + [np.zeros_like(b) for b in self.b[1:]]
        self.decay = [np.empty((w1.shape[1], n0), w1.dtype)] + [np.empty_like(w)
                                                                  for w in self.w[1:]]
        self.sizes = [n0] + [w.shape[1] for w in self.w]
        self.dtype = w1.dtype

    def _workers_for(self, n):
        """Enough workers, with buffers big enough, for batches of n rows."""
        n_workers = max(1, min(getattr(self, "threads", 1), n // MIN_SHARD))
        rows = min(CHUNK, -(-n // n_workers))
        if (len(self.workers) != n_workers or self.workers[0].x.shape[0] < rows):
            self.workers = [Worker(self.sizes, rows, self.dtype) for _ in range(n_workers)]
            if self.pool is not None:
                self.pool.shutdown()
            self.pool = ThreadPoolExecutor(n_workers - 1) if n_workers > 1 else None
        return self.workers

    def _shares(self, n, n_workers):
        """Row ranges [start, stop) of each worker's share of a batch of n rows."""
        bounds = [n * k // n_workers for k in range(n_workers + 1)]
        return list(zip(bounds[:-1], bounds[1:], strict=True))

    # -- the maths of one chunk --------------------------------------------------------------

    def _chunk(self, wk, m, y, scale, first):
        """Forward and backward on wk.x[:m]; add scale * its data gradient to wk.gw, wk.gb."""
        t0 = perf_counter()
        x1 = wk.x[:m]
        a_prev = sigmoid(np.matmul(x1, self.w1t.T, out=wk.a[0][:m]), out=wk.a[0][:m])
        acts = [a_prev]
        for w, b, a in zip(self.w[1:], self.b[1:], wk.a[1:], strict=True):
            z = np.matmul(a_prev, w, out=a[:m])
            z += b
            a_prev = sigmoid(z, out=z)
            acts.append(a_prev)
        t1 = perf_counter()
        d = np.subtract(acts[-1], y, out=wk.d[-1][:m])
        d *= scale
        for n in reversed(range(len(self.w))):
            gw = wk.gw[n] if first else wk.gw_chunk[n]
            if n == 0:
                np.matmul(d.T, x1, out=gw)  # [gW1.T | gb1]
            else:
                gb = wk.gb[n] if first else wk.gb_chunk[n]
                np.matmul(acts[n - 1].T, d, out=gw)
                np.add.reduce(d, axis=0, out=gb)
                if not first:
                    wk.gb[n] += gb
            if not first:
                wk.gw[n] += gw
            if n > 0:
                a = acts[n - 1]
                d_below = np.matmul(d, self.w[n].T, out=wk.d[n - 1][:m])
                tmp = np.subtract(1.0, a, out=wk.tmp[n - 1][:m])
                tmp *= a
                d_below *= tmp
                d = d_below
        t2 = perf_counter()
        wk.t_fwd += t1 - t0
        wk.t_bwd += t2 - t1

    def _share(self, k, start, stop, scale, x_src, y_src, order):
        """Worker k's rows [start, stop) of the batch, chunk by chunk."""
        wk = self.workers[k]
        rows = wk.x.shape[0]
        for s in range(start, stop, rows):
            e = min(s + rows, stop)
            m = e - s
            t0 = perf_counter()
            if order is None:  # a given batch (step, gradients): copy it beside the ones
                wk.x[:m, :-1] = x_src[s:e]
                y = y_src[s:e]
            else:  # rows in address order: the same sum, a faster gather
                idx = wk.idx[:m]
                idx[:] = order[s:e]
                idx.sort()
                # mode="clip": the indices are valid, and "raise" would buffer the output
                np.take(x_src, idx, axis=0, out=wk.x[:m], mode="clip")
                y = np.take(y_src, idx, axis=0, out=wk.y[:m], mode="clip")
            wk.t_gather += perf_counter() - t0
            self._chunk(wk, m, y, scale, first=s == start)

    def _gradient(self, x_src, y_src, n, scale, order=None):
        """scale * the batch's data gradient, summed into workers[0].gw, .gb."""
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
            for n_layer in range(len(self.w)):
                total.gw[n_layer] += wk.gw[n_layer]
                if n_layer > 0:
                    total.gb[n_layer] += wk.gb[n_layer]
        total.t_bwd += perf_counter() - t0  # waiting for the others and the sum
        return total

    def _apply(self, total, lr):
        """Heavy-ball step; total holds -lr * data gradient: v = mom v - lr (g + l2 w)."""
        mom, lr_l2 = self.hyper.mom_rate, lr * self.hyper.l2
        n0 = self.sizes[0]
        vw = self.vw[0]  # first layer: [W1.T | b1], L2 on the weights only
        vw *= mom
        vw += total.gw[0]
        np.multiply(self.w1t[:, :n0], lr_l2, out=self.decay[0])
        vw[:, :n0] -= self.decay[0]
        self.w1t += vw
        for w, b, vw, vb, gw, gb, decay in zip(self.w[1:], self.b[1:], self.vw[1:],
                                               self.vb[1:], total.gw[1:], total.gb[1:],
                                               self.decay[1:], strict=True):
            vw *= mom
            vw += gw
            np.multiply(w, lr_l2, out=decay)
            vw -= decay
            w += vw
            vb *= mom
            vb += gb
            b += vb

    def _blas_single(self):
        """Single-threaded BLAS whenever threads > 1: all parallelism is the workers'."""
        if self.threads < 2:
            return nullcontext()
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1, user_api="blas")

    # -- the interface -----------------------------------------------------------------------

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
        total = self._gradient(x, y, len(x), 1.0 / len(x))
        n0 = self.sizes[0]
        grads = [(total.gw[0][:, :n0].T.copy(), total.gw[0][:, n0].copy())]
        grads += [(gw.copy(), gb.copy()) for gw, gb in zip(total.gw[1:], total.gb[1:],
                                                            strict=True)]
        return [(gw + self.hyper.l2 * w, gb) for (gw, gb), w in zip(grads, self.w, strict=True)]

    def _export(self):
        return list(zip(self.w, self.b, strict=True))

    def info(self):
        return {"workers": len(self.workers), "chunk_rows": int(self.workers[0].x.shape[0])
                if self.workers else None}
