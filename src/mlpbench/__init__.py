"""mlpbench: when do Keras 3 (TensorFlow, JAX, PyTorch backends), JAX and PyTorch beat a
hand-written NumPy MLP on MNIST, and why.

Importing the package imports nothing heavy: the runner must set thread limits before NumPy or
TensorFlow load.
"""

__version__ = "0.1.0"
