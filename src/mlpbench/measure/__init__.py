"""What is measured: MNIST, the model, the implementations, and how a process times its cells.

This file imports nothing: the command line reads DTYPES before measure.timing sets the thread
limits that NumPy's BLAS and TensorFlow read when they load. The study's config schema, the
command lines and the workflow's wildcards take both lists from here.
"""

DTYPES = ("float32", "float64")
DEVICES = ("cpu", "gpu")
