"""torch-eager: the matched model in PyTorch, run op by op (eager mode), in our own loop.

Loss, autograd and the momentum update as in _torch.TorchImplementation; every operation is
dispatched from Python as it comes.
"""

from mlpbench.measure.implementations._torch import TorchImplementation


class TorchEager(TorchImplementation):
    name = "torch-eager"
    summary = "PyTorch eager: autograd and our momentum update in a Python loop"
