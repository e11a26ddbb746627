"""The peak probe: the GEMM rate this process's BLAS reaches, with its thread count and dtype.

Two rates, in GFLOP/s (2 * m * k * n FLOPs per product):

- `square`: large square products (SQUARE x SQUARE), the machine's practical limit;
- `shapes`: the MLP's own products of one step at the cell's batch (flops.gemm_shapes: forward,
  weight gradient with A read transposed, delta with W read transposed), run back to back.

Each rate is the best of several timed rounds of at least ROUND_S seconds (the least disturbed
by other processes). The square rate is measured once per dtype and process (0.15-0.2 s); the
shapes rate, 0.15-0.5 s per cell, only in the runs of implementations that ask for it
(Implementation.probes_shapes: one NumPy implementation, as every NumPy one has the same BLAS).
Operands hold a constant: a GEMM's speed does not depend on the values, and filling them costs
nothing. measure.timing calls it inside its thread limit, before the timed epochs; call it after
threadpoolctl's limit is set.
"""

import functools
from time import perf_counter

import numpy as np

from mlpbench.measure.flops import gemm_shapes
from mlpbench.measure.model import LAYERS

SQUARE = 1024
ROUND_S = 0.04
ROUNDS = 3
FILL = 0.5  # operands' value: far from overflow and denormals


def _rate(fn, flops, round_s, rounds):
    fn()  # warm: BLAS buffers, caches
    best = 0.0
    for _ in range(rounds):
        count, t0 = 0, perf_counter()
        while True:
            fn()
            count += 1
            elapsed = perf_counter() - t0
            if elapsed >= round_s:
                break
        best = max(best, flops * count / elapsed / 1e9)
    return best


@functools.cache
def square_gflops(dtype, n=SQUARE, round_s=ROUND_S, rounds=ROUNDS):
    """Best rate of (n, n) @ (n, n) products in dtype, measured once per process: its cells
    share the thread count, and the probe is not free."""
    a = np.full((n, n), FILL, dtype)
    b = np.full((n, n), FILL, dtype)
    out = np.empty((n, n), dtype)
    return _rate(lambda: np.matmul(a, b, out=out), 2 * n**3, round_s, rounds)


def shape_operands(batch, dtype, layers=LAYERS):
    """Operands for each product of one step, laid out as the NumPy implementations hold them."""
    def full(shape):
        return np.full(shape, FILL, dtype)

    ops = []
    for name, m, k, n in gemm_shapes(batch, layers):
        if name.startswith("wgrad"):  # A.T @ delta: A (batch, n_in) read transposed
            a, b = full((k, m)).T, full((k, n))
        elif name.startswith("delta"):  # delta @ W.T: W (n_in, n_out) read transposed
            a, b = full((m, k)), full((n, k)).T
        else:
            a, b = full((m, k)), full((k, n))
        ops.append((a, b, np.empty((m, n), dtype)))
    return ops


def shapes_gflops(batch, dtype, layers=LAYERS, round_s=ROUND_S, rounds=ROUNDS):
    """Best rate of one step's products at this batch, run back to back."""
    ops = shape_operands(batch, dtype, layers)
    flops = sum(2 * m * k * n for _, m, k, n in gemm_shapes(batch, layers))

    def step():
        for a, b, out in ops:
            np.matmul(a, b, out=out)

    return _rate(step, flops, round_s, rounds)


def probe(dtype, batch, layers=LAYERS, round_s=ROUND_S, rounds=ROUNDS, shapes=True):
    """The rates, with what was measured: {square_gflops, shapes_gflops, square_n, seconds};
    shapes=False leaves the shapes rate out (None)."""
    t0 = perf_counter()
    square = square_gflops(dtype, round_s=round_s, rounds=rounds)
    shapes = shapes_gflops(batch, dtype, layers, round_s=round_s, rounds=rounds) if shapes else None
    return {"square_gflops": square, "shapes_gflops": shapes, "square_n": SQUARE,
            "seconds": perf_counter() - t0}
