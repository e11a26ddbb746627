"""keras-fit-jax: keras-fit as it is, on Keras 3's JAX backend.

The same model, loss, optimizer, per-epoch learning rate and tf.data input as keras-fit; only
the backend differs (KERAS_BACKEND=jax, set before Keras is imported, so the process runs
nothing else on Keras). JAX always compiles the train step: jit_compile is True, and the
record's impl_info says so. float64 needs jax_enable_x64 (without it JAX silently computes in
float32), turned on before Keras starts.
"""

from mlpbench.measure.implementations._jax import import_jax
from mlpbench.measure.implementations.keras_fit import KerasFit


class KerasFitJax(KerasFit):
    name = "keras-fit-jax"
    requires = ("tensorflow", "keras", "jax")
    backend = "jax"
    jit_compile = True
    summary = "keras-fit on Keras 3's JAX backend (jitted)"

    def _start_keras(self, threads, seed, dtype):
        import_jax()
        return super()._start_keras(threads, seed, dtype)
