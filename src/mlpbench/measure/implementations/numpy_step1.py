"""numpy-step1: the article's Step I on top of numpy-naive.

Same layout (samples as columns, bias as column 0 of W, rows of ones concatenated), but no delta
is propagated below the first hidden layer: the input layer needs none, and that product with
the biggest weight matrix was the largest single cost. Only the asked-for regularization (L2)
is computed. float32 is the other half of Step I; here it is the dtype axis of the grid.
"""

from mlpbench.measure.implementations.numpy_naive import NumpyNaive


class NumpyStep1(NumpyNaive):
    name = "numpy-step1"
    summary = "Step I: no delta to the input layer, only the L2 term"

    lowest_delta_layer = 1
    always_regularize = False
