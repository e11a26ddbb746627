"""prime() compiles and warms an implementation, then leaves no trace: the timed epochs start
from the initial weights, velocity and optimizer counters, as a fresh implementation would."""

import importlib

import numpy as np
import pytest
from conftest import call_in_own_process

from mlpbench.measure import data, model
from mlpbench.measure.data import prepare
from mlpbench.measure.implementations import REGISTRY
from mlpbench.measure.implementations.base import NoClock

MATCHED = [name for name, cls in REGISTRY.items() if cls.workload == "matched"]
# Keras runs one backend per process: those on another backend are checked in a child process
OWN_PROCESS = [n for n in MATCHED if getattr(REGISTRY[n], "backend", "tensorflow") != "tensorflow"]
BATCH, SUBSET = 200, 2000
REFERENCE = "numpy-step2"


def trained(name, dataset, prime):
    impl = REGISTRY[name]()
    reason = impl.skip("float32", BATCH, 1)
    if reason:
        pytest.skip(reason)
    params = model.init_params(0, "float32")
    impl.setup(dataset, params, model.Hyper(), BATCH, 0, 1)
    assert impl.warmup_steps > 0  # every implementation warms something up
    if prime:
        impl.prime()
        for (w, b), (w0, b0) in zip(impl.get_params(), params, strict=True):
            np.testing.assert_array_equal(w, w0)  # the weights are back
            np.testing.assert_array_equal(b, b0)
    impl.train(range(1), NoClock())
    return impl.get_params()


def assert_prime_leaves_no_trace(mnist, name):
    dataset = prepare(mnist, "float32", subset=SUBSET)
    fresh = trained(name, dataset, prime=False)
    primed = trained(name, dataset, prime=True)
    for (w, b), (w0, b0) in zip(primed, fresh, strict=True):
        # the velocity and the step counters were restored too: the epoch's updates are equal
        np.testing.assert_allclose(w, w0, rtol=0, atol=1e-6)
        np.testing.assert_allclose(b, b0, rtol=0, atol=1e-6)
    # Keras's warm-up is an epoch inside train()'s fit(), undone at its end: one epoch from the
    # initial weights, as the reference's, not two
    reference = trained(REFERENCE, dataset, prime=False)
    for (w, b), (w0, b0) in zip(primed, reference, strict=True):
        np.testing.assert_allclose(w, w0, rtol=0, atol=1e-4)
        np.testing.assert_allclose(b, b0, rtol=0, atol=1e-4)


@pytest.mark.parametrize("name", [n for n in MATCHED if n not in OWN_PROCESS])
def test_prime_leaves_no_trace(mnist, name):
    assert_prime_leaves_no_trace(mnist, name)


@pytest.mark.parametrize("name", OWN_PROCESS)
def test_prime_leaves_no_trace_in_own_process(mnist_path, name):
    reason = REGISTRY[name]().unavailable("float32")
    if reason:
        pytest.skip(reason)
    call_in_own_process("test_prime", f"child({str(mnist_path)!r}, {name!r})")


def child(mnist_path, name):
    assert_prime_leaves_no_trace(data.load(mnist_path), name)


def test_prime_steps_change_the_weights(mnist):
    """The check above can fail: the steps prime() runs do move the weights."""
    dataset = prepare(mnist, "float32", subset=SUBSET)
    impl = REGISTRY["numpy-step2"]()
    params = model.init_params(0, "float32")
    impl.setup(dataset, params, model.Hyper(), BATCH, 0, 1)
    impl.train_steps(impl.warmup_steps)
    assert not np.array_equal(impl.get_params()[0][0], params[0][0])


def test_warm_starts_cover_every_batch_shape():
    impl = REGISTRY["jax-jit"]()
    impl.batch = 300
    assert impl.warm_starts(1200, 2) == [0, 300]  # every batch has 300 rows
    assert impl.warm_starts(1000, 2) == [0, 300, 900]  # and the last, 100 rows, compiles too
    assert impl.warm_starts(250, 2) == [0]


def test_keras_warm_up_epoch_is_counted_untimed(mnist):
    impl = REGISTRY["keras-fit"]()
    reason = impl.skip("float32", BATCH, 1)
    if reason:
        pytest.skip(reason)
    impl.setup(prepare(mnist, "float32", subset=SUBSET), model.init_params(0, "float32"),
               model.Hyper(), BATCH, 0, 1)
    impl.warm_up(1)  # one more untimed epoch that counts in training
    impl.train(range(1, 2), NoClock())
    assert set(impl.untimed_in_train_s) == {"prime", "warmup"}
    assert all(s > 0 for s in impl.untimed_in_train_s.values())


@pytest.mark.parametrize("name, module", [("keras-fit", "keras_fit"), ("tf-loop", "tf_loop")])
def test_cell_on_the_process_model_trains_as_on_a_fresh_model(mnist, name, module):
    """A cell reuses the process's compiled model and its traced steps (COMPILED): after another
    cell has trained it, it starts from the initial weights and a fresh optimizer, as a new one."""
    compiled = importlib.import_module(f"mlpbench.measure.implementations.{module}").COMPILED
    if reason := REGISTRY[name]().skip("float64", BATCH, 1):
        pytest.skip(reason)
    dataset = prepare(mnist, "float64", subset=SUBSET)

    def cell(batch, seed):
        impl = REGISTRY[name]()
        impl.setup(dataset, model.init_params(seed, "float64"), model.Hyper(), batch, 0, 1)
        impl.train(range(2), NoClock())
        return impl

    compiled.clear()
    fresh = cell(BATCH, 1).get_params()
    compiled.clear()
    cell(2 * BATCH, 2)  # another batch and other weights, on the same model
    again = cell(BATCH, 1)
    assert len(compiled) == 1
    for (w, b), (ew, eb) in zip(again.get_params(), fresh, strict=True):
        np.testing.assert_allclose(w, ew, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(b, eb, rtol=1e-12, atol=1e-14)
