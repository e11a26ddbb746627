"""keras-seed: the article's Keras model as written there (not the matched workload).

Dense(70, sigmoid) and Dense(30, sigmoid) with kernel_regularizer=l2(0.01), Dense(10, sigmoid),
rmsprop, categorical_crossentropy on the sigmoid outputs, Keras's default initialisation (from
the run's seed), model.fit with shuffle=True. It ignores the study's initial weights and
hyper-parameters; it exists to reproduce the article's accuracy (~0.74 after 35 epochs at batch
500) and timing. Inputs (batch, 784), outputs (batch, 10).
"""

from mlpbench.measure.implementations._tf import KerasImplementation

ARTICLE_L2 = 0.01


class KerasSeed(KerasImplementation):
    name = "keras-seed"
    workload = "article"
    summary = "the article's Keras model: rmsprop, Keras init, l2(0.01) on hidden layers"

    def setup(self, data, params, hyper, batch, seed, threads):
        dtype = str(data.x_train.dtype)
        keras = self._start_keras(threads, seed, dtype)
        self.x, self.y, self.batch = data.x_train, data.y_train, batch
        reg = keras.regularizers.l2(ARTICLE_L2)
        self.model = keras.Sequential([
            keras.Input(shape=(28 * 28,), dtype=dtype),
            keras.layers.Dense(70, activation="sigmoid", kernel_regularizer=reg, dtype=dtype),
            keras.layers.Dense(30, activation="sigmoid", kernel_regularizer=reg, dtype=dtype),
            keras.layers.Dense(10, activation="sigmoid", dtype=dtype),
        ])
        self.model.compile(optimizer="rmsprop", loss="categorical_crossentropy")

    def train(self, epochs, clock):
        def fit(numbers, callback):
            self.model.fit(self.x, self.y, batch_size=self.batch, epochs=len(numbers),
                           shuffle=True, verbose=0, callbacks=[callback])

        self._fit(epochs, clock, fit)

    def step(self, x, y, epoch=0):
        self.model.train_on_batch(x, y)
