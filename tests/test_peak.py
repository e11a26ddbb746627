"""The peak probe measures what it says, quickly; correctness only (no speed asserted)."""

import numpy as np

from mlpbench.measure import flops, peak


def test_probe_returns_positive_rates_quickly():
    r = peak.probe("float32", 100, round_s=0.01, rounds=2)
    assert r["square_gflops"] > 0 and r["shapes_gflops"] > 0
    assert r["square_n"] == peak.SQUARE


def test_shape_operands_have_the_step_shapes_and_layouts():
    ops = peak.shape_operands(37, "float64")
    for (a, b, out), (name, m, k, n) in zip(ops, flops.gemm_shapes(37), strict=True):
        assert a.shape == (m, k) and b.shape == (k, n) and out.shape == (m, n)
        assert a.dtype == np.float64
        if name.startswith("wgrad"):
            assert a.T.flags.c_contiguous  # read transposed, as A.T @ delta
        if name.startswith("delta"):
            assert b.T.flags.c_contiguous  # read transposed, as delta @ W.T
