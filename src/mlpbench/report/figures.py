"""The report's figures, one entry each: its number, name, where the report files it, and the
function that draws it. The figures rule's outputs and inputs, the script that draws them and
the report check all come from FIGURES; nothing else lists the figures.

A drawing function's arguments are the saved tables it reads, by name (results/<name>.csv,
`native_runs` the configured native runs or None), so its signature is its list of inputs.
"""

import inspect
from dataclasses import dataclass
from importlib import import_module

from mlpbench import paths
from mlpbench.report.sections import CLAIMS, CORRECTNESS, ENVIRONMENT, SCALING, TIMING, WHERE


@dataclass(frozen=True)
class Figure:
    number: int
    name: str
    category: str  # the report's section
    shows: str  # the label beside it in the report
    draw: str  # "module:function" in mlpbench.report

    @property
    def path(self):
        return paths.FIGURE.format(number=self.number, name=self.name)

    @property
    def caption(self):
        return f"report/figures/{self.name}.rst"  # from the repository's root

    @property
    def labels(self):
        return {"figure": str(self.number), "shows": self.shows}

    @property
    def function(self):
        module, name = self.draw.split(":")
        return getattr(import_module(f"mlpbench.report.{module}"), name)

    @property
    def tables(self):
        return tuple(inspect.signature(self.function).parameters)


FIGURES = [
    Figure(0, "claims", CLAIMS, "verdicts: ratio, 95% interval, threshold", "forest:claims"),
    Figure(1, "time_vs_batch", TIMING, "time per epoch vs batch size", "plots:time_vs_batch"),
    Figure(2, "speedup_heatmap", TIMING, "speed-up over keras-fit", "plots:speedup_heatmap"),
    Figure(3, "thread_scaling", SCALING, "thread scaling", "plots:thread_scaling"),
    Figure(4, "dtype_ratio", SCALING, "float64 / float32 time", "plots:dtype_ratio"),
    Figure(5, "phases", WHERE, "phase breakdown", "plots:phases"),
    Figure(6, "parity", CORRECTNESS, "accuracy and loss parity", "validity:parity"),
    Figure(7, "environment", ENVIRONMENT, "CPU, BLAS, versions, runner",
           "validity:environment"),
    Figure(8, "roofline", WHERE, "achieved GFLOP/s against the peak probe", "plots:roofline"),
    Figure(9, "container_overhead", ENVIRONMENT, "container overhead: Docker / native time",
           "validity:container_overhead"),
    Figure(10, "ranking", TIMING, "implementations ranked per batch size", "ranking:figure"),
    Figure(11, "findings", CLAIMS, "this study against the published findings",
           "forest:against_findings"),
]


def tables():
    """Every table some figure reads, in a stable order."""
    return list(dict.fromkeys(t for fig in FIGURES for t in fig.tables))


def draw(frames, outputs):
    """Draw every figure: frames maps table names to DataFrames (None: not given), outputs
    figure names to paths."""
    from mlpbench.report.style import save  # matplotlib only when drawing

    for fig in FIGURES:
        save(fig.function(**{t: frames[t] for t in fig.tables}), outputs[fig.name])
