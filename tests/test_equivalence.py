"""Matched implementations do the same work: same weights + same batches => same parameters.

NumPy variants differ only in summation order and layout, so in float64 they agree to ~1e-10
relative. TensorFlow runs the same float64 maths through Eigen/oneDNN kernels with other
summation orders; two SGD steps amplify that little, so 1e-8 relative (on parameters of size
~0.1-1) still flags any real difference (a wrong L2 factor or momentum rule moves them by >1e-3).
In float32 everyone agrees to the rounding of ~784-term sums: 1e-4 absolute.
"""

import numpy as np
import pytest

from mlpbench.measure import model
from mlpbench.measure.data import prepare
from mlpbench.measure.implementations import REGISTRY

MATCHED = [name for name, cls in REGISTRY.items() if cls.workload == "matched"]
REFERENCE = "numpy-step2"
TOLERANCE = {
    ("numpy", "float64"): dict(rtol=1e-10, atol=1e-12),
    ("tf", "float64"): dict(rtol=1e-8, atol=1e-10),
    ("numpy", "float32"): dict(rtol=0, atol=1e-4),
    ("tf", "float32"): dict(rtol=0, atol=1e-4),
}


def params_after_steps(name, dataset, batches, dtype):
    impl = REGISTRY[name]()
    reason = impl.skip(dtype, 100, 1)
    if reason:
        pytest.skip(reason)
    impl.setup(dataset, model.init_params(3, dtype), model.Hyper(), 100, 0, 1)
    for epoch, (x, y) in enumerate(batches):
        impl.step(x, y, epoch=epoch)  # epochs 0 and 1: two learning rates
    return impl.get_params()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", [n for n in MATCHED if n != REFERENCE])
def test_same_update_as_reference(name, dtype, mnist):
    dataset = prepare(mnist, dtype, subset=300)
    batches = [(dataset.x_train[i:i + 100], dataset.y_train[i:i + 100]) for i in (0, 100, 200)]
    expected = params_after_steps(REFERENCE, dataset, batches, dtype)
    got = params_after_steps(name, dataset, batches, dtype)
    start = model.init_params(3, dtype)
    tol = TOLERANCE[("numpy" if name.startswith("numpy") else "tf", dtype)]
    for (w, b), (ew, eb), (w0, _) in zip(got, expected, start, strict=True):
        assert w.dtype == dtype
        assert np.abs(ew - w0).max() > 1e-3  # the steps really moved the weights
        np.testing.assert_allclose(w, ew, **tol)
        np.testing.assert_allclose(b, eb, **tol)
