"""The registry: every implementation under study, by name.

Modules here import only NumPy at import time; TensorFlow, JAX and PyTorch are imported in
setup(), so a machine without them (PyTorch is an opt-in extra: bootstrap.sh --with torch, the
torch image) lists those implementations with a skip reason instead of failing.
"""

from mlpbench.measure.implementations.jax_jit import JaxJit
from mlpbench.measure.implementations.keras_fit import KerasFit
from mlpbench.measure.implementations.keras_fit_jax import KerasFitJax
from mlpbench.measure.implementations.keras_fit_torch import KerasFitTorch
from mlpbench.measure.implementations.keras_seed import KerasSeed
from mlpbench.measure.implementations.numpy_fast import NumpyFast
from mlpbench.measure.implementations.numpy_naive import NumpyNaive
from mlpbench.measure.implementations.numpy_step1 import NumpyStep1
from mlpbench.measure.implementations.numpy_step2 import NumpyStep2
from mlpbench.measure.implementations.tf_loop import TfLoop
from mlpbench.measure.implementations.torch_compile import TorchCompile
from mlpbench.measure.implementations.torch_eager import TorchEager

REGISTRY = {cls.name: cls for cls in (NumpyNaive, NumpyStep1, NumpyStep2, NumpyFast, KerasFit,
                                      TfLoop, JaxJit, KerasFitJax, TorchEager, TorchCompile,
                                      KerasFitTorch, KerasSeed)}


def names():
    return list(REGISTRY)

