"""Matched implementations do the same work: same weights + same batches => same parameters.

NumPy variants differ only in summation order and layout, so in float64 they agree to ~1e-10
relative. TensorFlow and JAX run the same float64 maths through Eigen, oneDNN or XLA kernels
with other summation orders; two SGD steps amplify that little, so 1e-8 relative (on parameters
of size ~0.1-1) still flags any real difference (a wrong L2 factor or momentum rule moves them by
>1e-3).
In float32 everyone agrees to the rounding of ~784-term sums: 1e-4 absolute.
"""

import subprocess
import sys

import numpy as np
import pytest
from conftest import call_in_own_process

from mlpbench.measure import data, model
from mlpbench.measure.data import prepare
from mlpbench.measure.implementations import REGISTRY

MATCHED = [name for name, cls in REGISTRY.items() if cls.workload == "matched"]
# Keras runs one backend per process: implementations on another backend than TensorFlow's
# run their steps in a process of their own
OWN_PROCESS = [n for n in MATCHED if getattr(REGISTRY[n], "backend", "tensorflow") != "tensorflow"]
REFERENCE = "numpy-step2"
TOLERANCE = {
    ("numpy", "float64"): dict(rtol=1e-10, atol=1e-12),
    ("framework", "float64"): dict(rtol=1e-8, atol=1e-10),
    ("numpy", "float32"): dict(rtol=0, atol=1e-4),
    ("framework", "float32"): dict(rtol=0, atol=1e-4),
}


def three_batches(mnist, dtype):
    dataset = prepare(mnist, dtype, subset=300)
    return dataset, [(dataset.x_train[i:i + 100], dataset.y_train[i:i + 100])
                     for i in (0, 100, 200)]


def params_after_steps(name, dataset, batches, dtype):
    impl = REGISTRY[name]()
    reason = impl.skip(dtype, 100, 1)
    if reason:
        pytest.skip(reason)
    impl.setup(dataset, model.init_params(3, dtype), model.Hyper(), 100, 0, 1)
    for epoch, (x, y) in enumerate(batches):
        impl.step(x, y, epoch=epoch)  # epochs 0 and 1: two learning rates
    return impl.get_params()


def save_params_after_steps(name, dtype, mnist_path, out):
    """params_after_steps in this process, saved to `out` (the own-process tests' child)."""
    dataset, batches = three_batches(data.load(mnist_path), dtype)
    params = params_after_steps(name, dataset, batches, dtype)
    np.savez(out, *[a for pair in params for a in pair])


def params_in_own_process(name, dtype, mnist_path, out):
    reason = REGISTRY[name]().unavailable(dtype)  # the child process gets the backend it needs
    if reason:
        pytest.skip(reason)
    call_in_own_process("test_equivalence", f"save_params_after_steps({name!r}, {dtype!r}, "
                                            f"{str(mnist_path)!r}, {str(out)!r})")
    with np.load(out) as f:
        arrays = [f[f"arr_{i}"] for i in range(len(f.files))]
    return [(arrays[i], arrays[i + 1]) for i in range(0, len(arrays), 2)]


def assert_same_update(name, got, expected, dtype):
    start = model.init_params(3, dtype)
    tol = TOLERANCE[("numpy" if name.startswith("numpy") else "framework", dtype)]
    for (w, b), (ew, eb), (w0, _) in zip(got, expected, start, strict=True):
        assert w.dtype == dtype
        assert np.abs(ew - w0).max() > 1e-3  # the steps really moved the weights
        np.testing.assert_allclose(w, ew, **tol)
        np.testing.assert_allclose(b, eb, **tol)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", [n for n in MATCHED if n not in OWN_PROCESS + [REFERENCE]])
def test_same_update_as_reference(name, dtype, mnist):
    dataset, batches = three_batches(mnist, dtype)
    expected = params_after_steps(REFERENCE, dataset, batches, dtype)
    got = params_after_steps(name, dataset, batches, dtype)
    assert_same_update(name, got, expected, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", OWN_PROCESS)
def test_same_update_as_reference_in_own_process(name, dtype, mnist, mnist_path, tmp_path):
    dataset, batches = three_batches(mnist, dtype)
    expected = params_after_steps(REFERENCE, dataset, batches, dtype)
    got = params_in_own_process(name, dtype, mnist_path, tmp_path / "params.npz")
    assert_same_update(name, got, expected, dtype)


def test_keras_torch_backend_still_cannot_do_float64():
    """keras-fit-torch skips float64 because Keras's torch backend computes its matrix products
    in float32; when a Keras release fixes that, this fails: lift the skip."""
    reason = REGISTRY["keras-fit-torch"]().not_installed()
    if reason:
        pytest.skip(reason)
    code = ("import os; os.environ['KERAS_BACKEND'] = 'torch'; import numpy as np, keras; "
            "x = np.linspace(0, 1, 784 * 2).reshape(2, 784) / 3; w = np.full((784, 3), 1 / 3); "
            "print(abs(keras.ops.convert_to_numpy(keras.ops.matmul(x, w)) - x @ w).max())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=True)
    assert float(done.stdout.split()[-1]) > 1e-9  # float32's rounding, not float64's
