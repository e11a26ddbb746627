"""numpy-fast's own paths: chunks, several workers, the epoch loop, and bench-fast."""

import numpy as np
import pytest
from conftest import run_cli

from mlpbench import bench_fast, model
from mlpbench.data import Dataset, prepare
from mlpbench.implementations import REGISTRY
from mlpbench.implementations import numpy_fast as nf
from mlpbench.implementations.base import NoClock


def trained(name, dataset, batch, threads, epochs=2):
    impl = REGISTRY[name]()
    impl.setup(dataset, model.init_params(5, "float64"), model.Hyper(), batch, 0, threads)
    impl.train(range(epochs), NoClock())
    return impl


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_chunked_and_shared_batches_train_like_numpy_step2(mnist, threads, monkeypatch):
    monkeypatch.setattr(nf, "CHUNK", 96)  # batches of 300: several chunks per worker
    dataset = prepare(mnist, "float64", subset=900)
    got = trained("numpy-fast", dataset, 300, threads).get_params()
    expected = trained("numpy-step2", dataset, 300, 1).get_params()
    for (w, b), (ew, eb) in zip(got, expected, strict=True):
        np.testing.assert_allclose(w, ew, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(b, eb, rtol=1e-10, atol=1e-12)


def test_gradients_with_two_workers_equal_one_worker():
    rng = np.random.default_rng(2)
    x = rng.uniform(size=(200, 784))
    y = np.eye(10)[rng.integers(0, 10, size=200)]
    grads = []
    for threads in (1, 2):
        impl = REGISTRY["numpy-fast"]()
        impl.setup(Dataset(x, y, x, y), model.init_params(1), model.Hyper(), 200, 0, threads)
        grads.append(impl.gradients(x, y))
        assert len(impl.workers) == threads
    for (w1, b1), (w2, b2) in zip(*grads, strict=True):
        np.testing.assert_allclose(w1, w2, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(b1, b2, rtol=1e-10, atol=1e-14)


def test_phases_are_timed(mnist):
    impl = REGISTRY["numpy-fast"]()
    dataset = prepare(mnist, "float32", subset=1000)
    impl.setup(dataset, model.init_params(0, "float32"), model.Hyper(), 100, 0, 1)

    class Clock:
        def epoch_begin(self, epoch):
            pass

        def epoch_end(self, epoch):
            pass

    impl.train(range(2), Clock())
    assert set(impl.phase_s) == {"forward", "backward", "update", "shuffle"}
    assert all(len(v) == 2 and min(v) > 0 for v in impl.phase_s.values())


def test_bench_fast_rejects_bad_input(mnist_path):
    done = run_cli("bench-fast", "--data", mnist_path, "--subset", "100", "--batch-small", "500")
    assert done.returncode == 2 and "larger than the data" in done.stderr


@pytest.mark.slow
def test_bench_fast_runs_on_a_tiny_setting(mnist_path):
    opts = dict(data=str(mnist_path), repeats=1, epochs=1, warmup_epochs=0, subset=1000,
                small=100, large=500, dtype="float32", seed=0, timeout=600)
    records = bench_fast.run_all(opts, impls=(bench_fast.FAST, bench_fast.STEP2),
                                 log=lambda line: None)
    assert len(records) == 6
    fast = [r for r in records if r["impl"] == bench_fast.FAST and r["status"] == "ok"]
    assert fast and all(r["achieved_gflops"] > 0 and r["peak_gflops"] > 0 for r in fast)
    table, ratios = bench_fast.summarize(records, 100, 500)
    text = bench_fast.report(table, ratios)
    assert "fraction of peak" in text
    assert ratios[0]["value"] is not None  # fraction of peak, measured
    assert ratios[1]["value"] is None  # no keras-fit run here: not measured
