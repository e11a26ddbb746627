"""keras-fit-torch: keras-fit as it is, on Keras 3's PyTorch backend.

The same model, loss, optimizer, per-epoch learning rate and tf.data input as keras-fit; only
the backend differs (KERAS_BACKEND=torch, set before Keras is imported). jit_compile is False:
the torch backend runs eagerly, as it does by default (True would mean torch.compile). PyTorch's
thread limits are set before Keras starts it; impl_info reports them beside TensorFlow's (whose
tf.data feeds the batches).

No float64: Keras's torch backend promotes two torch.float64 operands to float32 in ops.matmul
(keras.src.backend.common.dtypes.result_type, Keras 3.15.1), so every Dense layer would compute
in float32 while reporting float64; tests/test_equivalence.py checks that this still holds.
"""

from mlpbench.measure.implementations._torch import import_torch, thread_settings
from mlpbench.measure.implementations.keras_fit import KerasFit


class KerasFitTorch(KerasFit):
    name = "keras-fit-torch"
    requires = ("tensorflow", "keras", "torch")
    backend = "torch"
    jit_compile = False
    summary = "keras-fit on Keras 3's PyTorch backend (eager)"
    cannot_do = {"float64": "Keras's torch backend computes float64 matrix products in float32 "
                            "(dtypes.result_type of two torch.float64 is float32)"}

    def _start_keras(self, threads, seed, dtype):
        self.torch = import_torch(threads)
        return super()._start_keras(threads, seed, dtype)

    def info(self):
        return {**super().info(), **thread_settings(self.torch)}
