"""The FLOP model of training, stated once: one step and one epoch of the model in model.py.

A product of an (m, k) by a (k, n) matrix counts 2 * m * k * n FLOPs. One step on a batch of B
samples does, for each layer with n_in inputs and n_out outputs:

- forward: Z = A @ W, 2 * B * n_in * n_out;
- weight gradient: A.T @ delta, 2 * B * n_in * n_out;
- delta to the layer below: delta @ W.T, 2 * B * n_out * n_in, above the input layer only
  (no delta goes to the input, Step I of the article).

These products are the model's FLOPs (`gemm`): what `achieved_gflops` divides by time and what
the peak probe measures. The elementwise work (bias add, sigmoid, output delta, sigmoid
derivative, bias gradient, L2 term and momentum update) is counted apart (`elementwise`), one
FLOP per arithmetic operation and one per tanh; it is a few percent of the products.
"""

from mlpbench.measure.model import LAYERS

SIGMOID = 4  # 0.5 * z, tanh, * 0.5, + 0.5 (model.sigmoid)
SIGMOID_DERIVATIVE = 3  # 1 - a, * a, * delta
OUTPUT_DELTA = 2  # a - y, / B
BIAS_ADD = 1
BIAS_GRADIENT = 1  # one add per element of delta
L2_TERM = 2  # l2 * W, + gradient
MOMENTUM_UPDATE = 4  # mom * v, lr * g, v - lr * g, w + v


def layer_shapes(layers=LAYERS):
    """(n_in, n_out) of each layer, input layer first."""
    return list(zip(layers[:-1], layers[1:], strict=True))


def gemm_shapes(batch, layers=LAYERS):
    """The matrix products of one step as (name, m, k, n): C (m, n) = A (m, k) @ B (k, n).

    Names: `forward{i}`, `wgrad{i}` (A.T @ delta: A is read transposed), `delta{i}`
    (delta @ W.T: W is read transposed), layers counted from 1.
    """
    shapes = []
    for i, (n_in, n_out) in enumerate(layer_shapes(layers), start=1):
        shapes.append((f"forward{i}", batch, n_in, n_out))
        shapes.append((f"wgrad{i}", n_in, batch, n_out))
        if i > 1:
            shapes.append((f"delta{i}", batch, n_out, n_in))
    return shapes


def step_flops(batch, layers=LAYERS):
    """FLOPs of one SGD step on `batch` samples, by kind.

    Returns a dict: forward, weight_grad, delta (the three kinds of products), gemm (their
    sum, the model FLOPs), elementwise (counted apart) and total.
    """
    forward = weight_grad = delta = elementwise = 0
    shapes = layer_shapes(layers)
    for i, (n_in, n_out) in enumerate(shapes):
        forward += 2 * batch * n_in * n_out
        weight_grad += 2 * batch * n_in * n_out
        if i > 0:
            delta += 2 * batch * n_out * n_in
            elementwise += SIGMOID_DERIVATIVE * batch * n_in  # on the layer below's output
        elementwise += (BIAS_ADD + SIGMOID) * batch * n_out + BIAS_GRADIENT * batch * n_out
        elementwise += (L2_TERM + MOMENTUM_UPDATE) * n_in * n_out + MOMENTUM_UPDATE * n_out
    elementwise += OUTPUT_DELTA * batch * shapes[-1][1]
    gemm = forward + weight_grad + delta
    return {"forward": forward, "weight_grad": weight_grad, "delta": delta, "gemm": gemm,
            "elementwise": elementwise, "total": gemm + elementwise}


def epoch_flops(n_samples, batch, layers=LAYERS):
    """FLOPs of one epoch over n_samples in batches of `batch` (the last one may be smaller)."""
    full, rest = divmod(n_samples, batch)
    per_full = step_flops(batch, layers)
    totals = {key: full * value for key, value in per_full.items()}
    if rest:
        for key, value in step_flops(rest, layers).items():
            totals[key] += value
    return totals


def achieved_gflops(n_samples, batch, epoch_seconds, layers=LAYERS):
    """Model FLOPs (the products) of one epoch per second of epoch time, in GFLOP/s."""
    if not epoch_seconds:
        return None
    return epoch_flops(n_samples, batch, layers)["gemm"] / epoch_seconds / 1e9
