"""The one model under study, stated once.

784-70-30-10, sigmoid on every layer, cross-entropy on the sigmoid outputs summed over the 10
outputs and averaged over the batch, plus an L2 penalty (l2 / 2) * sum(W**2) on weights (not
biases), so the weight gradient gains l2 * W. Mini-batch SGD with heavy-ball momentum
(v = mom_rate * v - lr * grad; w += v, Keras's SGD) and the article's per-epoch decay
lr_e = lr_{e-1} / (1 + decrease_const * e), reshuffled every epoch.

Canonical parameters ("Keras layout"): a list of (W, b) per layer, W (n_in, n_out), b (n_out,).
Samples are rows: x (n, 784), one-hot y (n, 10). Implementations may store other layouts but
take and give back this one.
"""

from dataclasses import asdict, dataclass

import numpy as np

LAYERS = (784, 70, 30, 10)


@dataclass(frozen=True)
class Hyper:
    """Training settings; names follow the article's NumPy code."""

    learn_rate: float = 0.5
    decrease_const: float = 1e-6
    mom_rate: float = 0.5
    l2: float = 0.01

    def as_dict(self):
        return {**asdict(self), "layers": list(LAYERS)}


def init_params(seed, dtype="float64", layers=LAYERS):
    """Glorot-uniform weights and zero biases from one seeded generator (same for every impl)."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(layers[:-1], layers[1:], strict=True):
        limit = np.sqrt(6.0 / (n_in + n_out))
        w = rng.uniform(-limit, limit, size=(n_in, n_out)).astype(dtype)
        params.append((w, np.zeros(n_out, dtype=dtype)))
    return params


def learning_rate(hyper, epoch):
    """The article's decay, applied once at the start of each epoch (epoch 0 uses learn_rate)."""
    lr = hyper.learn_rate
    for e in range(1, epoch + 1):
        lr /= 1.0 + hyper.decrease_const * e
    return lr


def epoch_permutation(seed, epoch, n):
    """The sample order of one epoch; shared so that implementations can walk the same batches."""
    return np.random.default_rng([seed, epoch]).permutation(n)


def sigmoid(z, out=None):
    """Logistic function via tanh: no overflow for any finite z, unlike 1 / (1 + exp(-z))."""
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def logits(params, x):
    """Output pre-activations (n, 10) of the network for samples x (n, 784)."""
    a = x
    for i, (w, b) in enumerate(params):
        z = a @ w + b
        a = sigmoid(z) if i < len(params) - 1 else z
    return a


def data_loss(z, y):
    """Cross-entropy of sigmoid(z) against y, summed over outputs, averaged over samples."""
    per_element = np.logaddexp(0.0, z) - y * z
    return float(per_element.sum() / len(z))


def objective(params, x, y, l2):
    """The loss that every matched implementation minimises (what its gradients are of)."""
    penalty = 0.5 * l2 * sum(float(np.sum(w.astype(np.float64) ** 2)) for w, _ in params)
    return data_loss(logits(params, x), y) + penalty


def evaluate(params, x, y, batch=10000):
    """Accuracy and data loss of params on (x, one-hot y), in chunks to bound memory."""
    correct, loss_sum = 0, 0.0
    for s in range(0, len(x), batch):
        z = logits(params, x[s : s + batch])
        yb = y[s : s + batch]
        correct += int(np.sum(z.argmax(axis=1) == yb.argmax(axis=1)))
        loss_sum += data_loss(z, yb) * len(z)
    return correct / len(x), loss_sum / len(x)


def all_finite(params):
    return all(np.isfinite(w).all() and np.isfinite(b).all() for w, b in params)
