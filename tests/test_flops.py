"""The FLOP model: products counted once, by hand for the study's model."""

from mlpbench.measure import flops


def test_step_flops_of_the_study_model_by_hand():
    b = 500
    f = flops.step_flops(b)
    per_sample_products = 784 * 70 + 70 * 30 + 30 * 10
    assert f["forward"] == 2 * b * per_sample_products
    assert f["weight_grad"] == 2 * b * per_sample_products
    assert f["delta"] == 2 * b * (70 * 30 + 30 * 10)  # none to the input layer
    assert f["gemm"] == f["forward"] + f["weight_grad"] + f["delta"]
    assert 0 < f["elementwise"] < 0.05 * f["gemm"]
    assert f["total"] == f["gemm"] + f["elementwise"]


def test_epoch_flops_counts_a_ragged_last_batch():
    assert flops.epoch_flops(1000, 500)["gemm"] == 2 * flops.step_flops(500)["gemm"]
    ragged = flops.epoch_flops(1100, 500)
    assert ragged["gemm"] == 2 * flops.step_flops(500)["gemm"] + flops.step_flops(100)["gemm"]
    # products are linear in the batch: an epoch's products do not depend on the batch size
    assert flops.epoch_flops(60000, 50)["gemm"] == flops.epoch_flops(60000, 10000)["gemm"]


def test_gemm_shapes_match_the_step_count():
    shapes = flops.gemm_shapes(64)
    assert sum(2 * m * k * n for _, m, k, n in shapes) == flops.step_flops(64)["gemm"]
    assert [s[0] for s in shapes if s[0].startswith("delta")] == ["delta2", "delta3"]


def test_achieved_gflops():
    gemm = flops.epoch_flops(60000, 500)["gemm"]
    assert flops.achieved_gflops(60000, 500, 2.0) == gemm / 2.0 / 1e9
    assert flops.achieved_gflops(60000, 500, None) is None
