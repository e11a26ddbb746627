"""keras-fit: the matched model in Keras 3 (TensorFlow backend), trained with model.fit.

Same initial weights, SGD with momentum (Keras's SGD is the heavy-ball rule of model.py), the
per-epoch decay set at each epoch's start, L2(l2 / 2) on the kernels (gradient l2 * W), and the
loss summed over the 10 outputs and averaged over the batch. The output layer emits logits and
the loss applies the sigmoid (from_logits=True): the same function, computed without log(0).
The input is a tf.data pipeline that gathers each batch by the same per-epoch permutation as
the NumPy implementations (what Keras itself builds from NumPy arrays with shuffle=True, but with
our order), so all matched implementations see the same batches. The warm-up epoch (undone at
its end: KerasImplementation.fit_warmup_epochs), any warmup_epochs and the timed epochs run in
one fit() call: fit's set-up stays outside every epoch and the warm-up epochs are not timed.
A process builds, compiles and traces the model once per dtype (COMPILED), and each cell starts
it from the initial weights and a fresh optimizer state. Inputs (batch, 784), outputs (batch, 10).
"""

import numpy as np

from mlpbench.measure.implementations._tf import (
    KerasImplementation,
    params_as_keras_weights,
)
from mlpbench.measure.model import LAYERS, epoch_permutation, learning_rate

COMPILED = {}  # (implementation class, prepared data's id, hyper) -> the compiled model and more


def summed_binary_crossentropy(keras):
    def loss(y_true, logits):
        per_output = keras.ops.binary_crossentropy(y_true, logits, from_logits=True)
        return keras.ops.sum(per_output, axis=-1)

    return loss


def build_matched_model(keras, hyper, dtype):
    reg = keras.regularizers.L2(hyper.l2 / 2)
    inputs = keras.Input(shape=(LAYERS[0],), dtype=dtype)
    a = inputs
    for i, n_out in enumerate(LAYERS[1:]):
        last = i == len(LAYERS) - 2
        a = keras.layers.Dense(n_out, activation=None if last else "sigmoid",
                               kernel_regularizer=reg, dtype=dtype)(a)
    return keras.Model(inputs, a)


class KerasFit(KerasImplementation):
    name = "keras-fit"
    summary = "Keras 3 model.fit on the matched model"
    jit_compile = "auto"  # TensorFlow: XLA only where Keras judges it worth it (not on a CPU)

    def setup(self, data, params, hyper, batch, seed, threads):
        dtype = str(data.x_train.dtype)
        keras = self._start_keras(threads, seed, dtype)
        self.x, self.y = data.x_train, data.y_train
        self.hyper, self.batch, self.seed, self.threads = hyper, batch, seed, threads
        key = (type(self), id(data), hyper)
        if key not in COMPILED:
            COMPILED[key] = self._compile(keras, data, hyper)
        self.model, self.optimizer, self.data_vars, fresh, _ = COMPILED[key]
        self.load_state((params_as_keras_weights(params), fresh))

    def _compile(self, keras, data, hyper):
        """This process's compiled model for (implementation, data, hyper): later cells reuse its
        traced train function and the training set held in tf.Variables, not copied again.
        Returns it with the optimizer's fresh values, which every setup() restores."""
        self.model = build_matched_model(keras, hyper, str(data.x_train.dtype))
        self.optimizer = keras.optimizers.SGD(learning_rate=hyper.learn_rate,
                                              momentum=hyper.mom_rate)
        self.model.compile(optimizer=self.optimizer, loss=summed_binary_crossentropy(keras),
                           jit_compile=self.jit_compile)
        fresh = self.save_state()[1]  # builds the optimizer: its slots (momentum) exist, at zero
        data_vars = [self.tf.Variable(a, trainable=False) for a in (data.x_train, data.y_train)]
        return self.model, self.optimizer, data_vars, fresh, data  # data alive: its id stays unique

    def _set_lr(self, epoch):
        self.optimizer.learning_rate.assign(learning_rate(self.hyper, epoch))

    def _dataset(self, numbers):
        """Batches of the epochs `numbers` (None: the warm-up epoch, in the next one's order)."""
        tf = self.tf
        first = next(e for e in numbers if e is not None)
        orders = np.stack([epoch_permutation(self.seed, first if e is None else e, len(self.x))
                           for e in numbers])
        x, y = self.data_vars
        ds = tf.data.Dataset.from_tensor_slices(orders).flat_map(
            lambda order: tf.data.Dataset.from_tensor_slices(order).batch(self.batch))
        ds = ds.map(lambda idx: (tf.gather(x, idx), tf.gather(y, idx))).prefetch(1)
        options = tf.data.Options()
        options.threading.private_threadpool_size = self.threads
        # the autotuner has nothing to tune in one sequential map and prefetch(1), and stopping
        # its thread held up the end of every fit() by 0.25-2.5 s; epochs no slower without it
        options.autotune.enabled = False
        return ds.with_options(options)

    def train(self, epochs, clock):
        def fit(numbers, callback):
            self.model.fit(self._dataset(numbers), epochs=len(numbers),
                           steps_per_epoch=-(-len(self.x) // self.batch), shuffle=False,
                           verbose=0, callbacks=[callback])

        self._fit(epochs, clock, fit)

    def step(self, x, y, epoch=0):
        self._set_lr(epoch)
        self.model.train_on_batch(x, y)
