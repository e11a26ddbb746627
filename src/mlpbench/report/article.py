"""The article's published timings beside this study's, cell by cell.

The article timed 35 epochs on all 60000 MNIST training samples on a 4-core laptop. Its
figures are written down once, in PUBLISHED; table() puts next to each the time this study's
matching cell would take for the same work: the median timed epoch (CPU, status ok, at the
most threads that ran) times 35, scaled to 60000 samples when the study trained on fewer.
The scaling assumes time grows with the number of samples per epoch (same batch size, more
batches); the `note` column says when it was applied.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlpbench.analysis.gather import timed

ARTICLE_SAMPLES = 60000
ARTICLE_EPOCHS = 35
ARTICLE_MACHINE = "the article's laptop (4 cores, 4 threads)"
NOT_RUN = "not run here"
KERAS = ("keras-seed", "keras-fit")  # the article's own script, and our matched Keras
COLUMNS = ["figure", "source", "impl", "dtype", "batch", "article_s", "article_machine",
           "ours_s", "ours_threads", "ours_subset", "ours_machine", "ratio", "note"]


@dataclass(frozen=True)
class Published:
    """One timing the article published: seconds for 35 epochs on the full training set."""

    what: str
    impls: tuple
    dtype: str
    batch: int
    low_s: float
    high_s: float
    source: str

    @property
    def text(self):
        return f"{self.low_s:g}" if self.low_s == self.high_s else f"{self.low_s:g}-{self.high_s:g}"

    @property
    def mid_s(self):
        return (self.low_s + self.high_s) / 2


PUBLISHED = (
    Published("Keras, batch 500", KERAS, "float32", 500, 10.8, 11.0,
              "Step I: the reference Keras model (two runs)"),
    Published("NumPy before Step I", ("numpy-naive",), "float64", 500, 49.5, 60.0,
              "Step I: the unoptimised baseline (49.5 s with batch-error accuracy, 60 s with a "
              "full training-set prediction per epoch)"),
    Published("NumPy after Step I", ("numpy-step1",), "float32", 500, 11.3, 11.3,
              "Step I: float32 and no delta propagated to the input layer"),
    Published("Keras, batch 10000", KERAS, "float32", 10000, 6.4, 6.4,
              "Step I: dependency on the batch size"),
    Published("NumPy after Step III, batch 500", ("numpy-step2",), "float32", 500, 9.6, 9.6,
              "Step III"),
    Published("NumPy after Step III, batch 20000", ("numpy-step2",), "float32", 20000, 8.7, 8.7,
              "Step III"),
)


def _cpu_ok(df):
    """The rows that count for timing (gather.timed) of CPU runs."""
    df = timed(df)
    return df if df.empty else df[df["device"] == "cpu"]  # no runs: maybe not even columns


def _select(df, **where):
    """Rows of df equal to every where value; none when df lacks one of those columns."""
    if not set(where) <= set(df.columns):
        return df.iloc[:0]
    keep = np.logical_and.reduce([df[k] == v for k, v in where.items()])
    return df[keep]


def machine(runs):
    """'CPU model (N CPUs)' for each distinct machine among runs; 'unknown' without provenance."""
    if runs.empty or "provenance_cpu_model" not in runs:
        return "unknown"
    d = runs.reindex(columns=["provenance_cpu_model", "provenance_cpu_count"])
    names = [str(model) if pd.isna(n) else f"{model} ({int(n)} CPUs)"
             for model, n in d.itertuples(index=False)]
    return "; ".join(dict.fromkeys(names))


def _scale(cell_runs):
    """Factor from the cell's training-set size to the article's, the size, and a note."""
    subset = cell_runs["subset"].median() if "subset" in cell_runs else np.nan
    if pd.isna(subset):
        return 1.0, subset, "training set size unknown: taken as the article's, not scaled"
    if subset == ARTICLE_SAMPLES:
        return 1.0, subset, ""
    factor = ARTICLE_SAMPLES / subset
    return factor, subset, f"scaled x{factor:.3g}: trained on {subset:.0f} of {ARTICLE_SAMPLES}"


def _ours(fig, impl, epochs, runs, epochs_per_run):
    """This study's columns for one published figure and implementation."""
    cell = _select(epochs, impl=impl, dtype=fig.dtype, batch=fig.batch)
    if cell.empty:
        return {"ours_s": np.nan, "ours_threads": np.nan, "ours_subset": np.nan,
                "ours_machine": "", "ratio": np.nan, "note": NOT_RUN}
    threads = cell["threads"].max()  # the all-core count, where the grid reached it
    cell_runs = _select(runs, impl=impl, dtype=fig.dtype, batch=fig.batch, threads=threads)
    factor, subset, note = _scale(cell_runs)
    ours = cell.loc[cell["threads"] == threads, "wall_s"].median() * epochs_per_run * factor
    return {"ours_s": round(ours, 2), "ours_threads": threads, "ours_subset": subset,
            "ours_machine": machine(cell_runs), "ratio": round(ours / fig.mid_s, 2),
            "note": note}


def table(epochs, runs, epochs_per_run=ARTICLE_EPOCHS):
    """One row per published figure and implementation: the article's seconds beside ours.

    epochs: the timed per-epoch table (impl, device, dtype, batch, threads, repeat, wall_s);
    runs: the runs table (subset and provenance_* columns). ratio = ours / the article's
    midpoint; a cell that did not run here keeps its row with ours_s NaN, noted 'not run here'.
    """
    epochs, runs = _cpu_ok(epochs), _cpu_ok(runs)
    rows = [{"figure": fig.what, "source": fig.source, "impl": impl, "dtype": fig.dtype,
             "batch": fig.batch, "article_s": fig.text, "article_machine": ARTICLE_MACHINE,
             **_ours(fig, impl, epochs, runs, epochs_per_run)}
            for fig in PUBLISHED for impl in fig.impls]
    return pd.DataFrame(rows, columns=COLUMNS).astype({"ours_threads": "Int64",
                                                       "ours_subset": "Int64"})
