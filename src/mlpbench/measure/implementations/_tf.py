"""Shared TensorFlow set-up: import on first use, apply the thread limits, seed Keras."""

import os
import sys
from time import perf_counter

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


def fit_callback(keras, numbers, timed_from, clock, set_lr, restore, untimed):
    """A Keras callback for one fit() call whose epoch i is the schedule's epoch numbers[i], or
    None for a warm-up epoch that restore() undoes at its end. It sets each epoch's learning
    rate, brackets the epochs numbered timed_from or later with the clock and adds the others'
    seconds to untimed ("prime": undone, "warmup": they count); keras is imported late, so the
    class is made here."""
    first = next(e for e in numbers if e is not None)

    class FitEpochs(keras.callbacks.Callback):
        def on_epoch_begin(self, i, logs=None):
            set_lr(first if numbers[i] is None else numbers[i])
            if numbers[i] is not None and numbers[i] >= timed_from:
                clock.epoch_begin(numbers[i])
            else:
                self.t0 = perf_counter()

        def on_epoch_end(self, i, logs=None):
            if numbers[i] is not None and numbers[i] >= timed_from:
                clock.epoch_end(numbers[i])
                return
            part = "prime" if numbers[i] is None else "warmup"
            untimed[part] = untimed.get(part, 0.0) + perf_counter() - self.t0
            if numbers[i] is None:
                restore()  # Keras's JAX backend reloads its state from the variables next epoch

    return FitEpochs()


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

    # fit()'s first epoch creates its input iterator (0.1-0.4 s: it copies the training set)
    # and traces or jits the train function, which no earlier fit() call does for it: measured
    # 1.2-1.9x slower first epochs after a short fit() of its own. So the warm-up is that epoch,
    # untimed at the start of train()'s fit() and undone at its end.
    fit_warmup_epochs = 1
    pending_warmup = 0  # warm_up()'s epochs, run at the start of the next fit()

    @property
    def warmup_steps(self):
        return self.fit_warmup_epochs * -(-len(self.x) // self.batch)

    def prime(self):
        """Nothing before fit(): see fit_warmup_epochs."""

    def warm_up(self, epochs):
        self.pending_warmup = epochs  # untimed epochs that count, at the start of the next fit()

    def _set_lr(self, epoch):
        """Set the optimizer's learning rate for this epoch (a fixed one: nothing to do)."""

    def _fit(self, epochs, clock, fit):
        """Train `epochs` in one fit(numbers, callback) call: numbers[i] is fit epoch i's number
        in the schedule (None: the undone warm-up epoch), and callback must be passed to fit."""
        first = epochs.start - self.pending_warmup
        self.pending_warmup = 0
        if epochs.stop <= first:
            return
        numbers = [None] * self.fit_warmup_epochs + list(range(first, epochs.stop))
        state = self.save_state()
        self.untimed_in_train_s = {}
        fit(numbers, fit_callback(self.keras, numbers, epochs.start, clock, self._set_lr,
                                  lambda: self.load_state(state), self.untimed_in_train_s))

    def save_state(self):
        optimizer = self.model.optimizer
        if not optimizer.built:  # its slots (momentum) exist from here on, at zero
            optimizer.build(self.model.trainable_variables)
        return self.model.get_weights(), [v.numpy() for v in optimizer.variables]

    def load_state(self, state):
        weights, optimizer_values = state
        self.model.set_weights(weights)
        for v, value in zip(self.model.optimizer.variables, optimizer_values, strict=True):
            v.assign(value)  # the iteration count and the slots, as before the steps

    def get_params(self):
        return [(np.asarray(w), np.asarray(b))
                for w, b in keras_weights_as_params(self.model.get_weights())]

    def info(self):
        return {"backend": self.backend, "jit_compile": bool(self.model.jit_compile),
                **thread_settings(self.tf)}
