"""Shared TensorFlow set-up: import on first use, apply the thread limits, seed Keras."""

import os
import sys

import numpy as np

from mlpbench.measure import DEVICES
from mlpbench.measure.implementations.base import Implementation


def import_tensorflow(threads):
    """Import TensorFlow with intra- and inter-op pools of `threads` threads (as the article)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    # These raise once the runtime has started; a second implementation in the same process
    # (tests) keeps the first setting, which the record then reports.
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        pass
    return tf


def thread_settings(tf):
    return {
        "tf_intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "tf_inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
    }


def params_as_keras_weights(params):
    """[(W, b), ...] -> [W1, b1, W2, b2, ...] as Keras's get_weights/set_weights use."""
    return [a for pair in params for a in pair]


def keras_weights_as_params(weights):
    return [(weights[i], weights[i + 1]) for i in range(0, len(weights), 2)]


def keras_callback(keras, clock, set_lr=None):
    """A Keras callback that brackets each epoch with the timing clock (and sets that epoch's
    learning rate); keras is imported late, so the class is made here."""

    class ClockCallback(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            clock.epoch_begin(epoch)
            if set_lr is not None:
                set_lr(epoch)

        def on_epoch_end(self, epoch, logs=None):
            clock.epoch_end(epoch)

    return ClockCallback()


class KerasImplementation(Implementation):
    """A Keras model trained by fit(); subclasses build self.model in setup().

    `backend` is Keras 3's backend, chosen by KERAS_BACKEND before keras is first imported: a
    process runs one backend, so a second one in the same process is skipped with the reason
    (the tests run such implementations in a process of their own)."""

    requires = ("tensorflow", "keras")
    devices = DEVICES
    backend = "tensorflow"

    def skip(self, dtype, batch, threads):
        loaded = sys.modules.get("keras")
        if loaded is not None and loaded.backend.backend() != self.backend:
            return (f"{self.name} needs Keras's {self.backend} backend, but this process loaded "
                    f"Keras with {loaded.backend.backend()}")
        return super().skip(dtype, batch, threads)

    def no_gpu(self):
        """Keras computes on its backend's devices: that framework's answer."""
        from mlpbench.measure.implementations import _jax, _torch

        return {"tensorflow": super().no_gpu, "jax": _jax.no_gpu,
                "torch": _torch.no_gpu}[self.backend]()

    def _start_keras(self, threads, seed, dtype):
        os.environ["KERAS_BACKEND"] = self.backend  # before TensorFlow, which imports Keras
        self.tf = import_tensorflow(threads)  # tf.data feeds fit() on every backend
        import keras

        if keras.backend.backend() != self.backend:
            raise RuntimeError(f"Keras runs {keras.backend.backend()}, not {self.backend}")
        self.keras = keras
        keras.utils.set_random_seed(seed)
        keras.config.set_floatx(dtype)  # losses and metrics follow floatx
        return keras

    def get_params(self):
        return [(np.asarray(w), np.asarray(b))
                for w, b in keras_weights_as_params(self.model.get_weights())]

    def info(self):
        return {"backend": self.backend, "jit_compile": bool(self.model.jit_compile),
                **thread_settings(self.tf)}
