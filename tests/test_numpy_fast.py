"""numpy-fast's own paths: chunks, several workers, the epoch loop."""

import numpy as np
import pytest

from mlpbench.measure import model
from mlpbench.measure.data import Dataset, prepare
from mlpbench.measure.implementations import REGISTRY
from mlpbench.measure.implementations import numpy_fast as nf
from mlpbench.measure.implementations.base import NoClock


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


def test_padding_units_stay_zero_and_never_reach_the_output(mnist, monkeypatch):
    monkeypatch.setattr(nf, "CHUNK", 96)
    dataset = prepare(mnist, "float64", subset=600)
    impl = trained("numpy-fast", dataset, 200, 2)
    n1 = model.LAYERS[1]
    assert impl.layout.units > n1  # the first layer is padded
    assert not impl.w1t[n1:].any() and not impl.held[0][n1:].any()
    velocity = impl.layout.views(impl.velocity)
    assert not velocity[0][n1:].any() and not velocity[1][n1:].any()
    assert impl.get_params()[0][0].shape == (model.LAYERS[0], n1)
