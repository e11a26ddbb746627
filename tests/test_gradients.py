"""Every NumPy implementation's gradients equal central finite differences of model.objective."""

import numpy as np
import pytest

from mlpbench.measure import model
from mlpbench.measure.data import Dataset
from mlpbench.measure.implementations import REGISTRY

NUMPY_IMPLS = [name for name in REGISTRY if name.startswith("numpy-")]
SMALL = (6, 5, 4, 3)


def small_problem(seed=1, n=7):
    rng = np.random.default_rng(seed)
    params = [(w * 3, rng.normal(size=b.shape)) for w, b in model.init_params(seed, layers=SMALL)]
    x = rng.uniform(size=(n, SMALL[0]))
    y = np.eye(SMALL[-1])[rng.integers(0, SMALL[-1], size=n)]
    return params, x, y


def numerical_gradients(params, x, y, l2, eps=1e-6):
    grads = []
    for w, b in params:
        pair = []
        for a in (w, b):
            g = np.zeros_like(a)
            for i in np.ndindex(a.shape):
                old = a[i]
                a[i] = old + eps
                up = model.objective(params, x, y, l2)
                a[i] = old - eps
                down = model.objective(params, x, y, l2)
                a[i] = old
                g[i] = (up - down) / (2 * eps)
            pair.append(g)
        grads.append(tuple(pair))
    return grads


@pytest.mark.parametrize("name", NUMPY_IMPLS)
def test_gradients_match_finite_differences(name):
    params, x, y = small_problem()
    hyper = model.Hyper(l2=0.01)
    impl = REGISTRY[name]()
    impl.setup(Dataset(x, y, x, y), params, hyper, batch=len(x), seed=0, threads=1)
    analytic = impl.gradients(x, y)
    numeric = numerical_gradients(params, x, y, hyper.l2)
    for (gw, gb), (nw, nb) in zip(analytic, numeric, strict=True):
        np.testing.assert_allclose(gw, nw, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(gb, nb, rtol=1e-6, atol=1e-9)


def test_finite_differences_would_catch_a_wrong_gradient():
    params, x, y = small_problem()
    numeric = numerical_gradients(params, x, y, 0.01)
    wrong_l2 = numerical_gradients(params, x, y, 0.02)
    assert not np.allclose(numeric[0][0], wrong_l2[0][0], rtol=1e-6, atol=1e-9)
