"""The report's table pages, one entry of PAGES each: results/tables/{name}.html, its caption
report/tables/{name}.rst, its section and labels, and the function that builds it. The tables
rule's outputs come from PAGES; nothing else lists the pages.

A build function takes the study's saved tables (a dict of DataFrames named as in TABLES) and
returns (frame, title, note); write() renders each with tables.render.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlpbench import paths
from mlpbench.analysis import between_studies, gather, stats
from mlpbench.analysis import warmup as warmup_check
from mlpbench.analysis.claims import GAIN
from mlpbench.analysis.hardware import of_runs
from mlpbench.report import article as article_table
from mlpbench.report import published, tables
from mlpbench.report.sections import CLAIMS, RUNS, WHERE

# The saved tables the pages read: results/<name>.csv
TABLES = ("runs", "epochs", "cells", "claims", "efficiency", "warmup", "findings",
          "calibration", "between_studies")


def claims(t):
    return (t["claims"], "Claims of the article, judged from this run",
            "Verdicts are computed from the data (src/mlpbench/analysis/claims.py), never "
            "written by hand.")


def findings(t):
    return (published.page(t["findings"]), "This study against the published findings",
            "Each claim's verdict here beside those archived in findings/ (mlpbench archive). "
            "Same hardware: how many archived studies reached the same verdict, and which "
            "confirmed what this one refuted or the reverse (a contradiction). Other hardware: "
            "shown, not judged; a claim may hold on one machine and not on another.")


def between(t):
    """The sentence on the variance between studies that this study's intervals include."""
    found = of_runs(t["runs"])
    subset = t["runs"]["subset"].dropna()
    if found is None or subset.empty:
        return "No run was measured, so no variance between studies applies."
    table = t["between_studies"]
    rows = table[(table["hardware"] == found["name"]) & (table["subset"] == subset.iloc[0])]
    used = between_studies.used(table, found["name"], subset.iloc[0])
    if rows.empty or pd.isna(rows["component"].iloc[0]):
        return (f"Between studies: the archive holds fewer than two studies of {found['name']} "
                f"on {int(subset.iloc[0])} samples with cells in common, so no component is "
                "measured and none is added to this study's intervals.")
    r = rows.iloc[0]
    return (f"Between studies (results/between_studies.csv): {int(r['studies'])} archived "
            f"studies of {found['name']} on {int(subset.iloc[0])} samples share "
            f"{int(r['cells'])} cells; their log times spread by {r['observed_sd']:.3f} where "
            f"their own intervals allow {r['expected_sd']:.3f}, so each side of every "
            f"interval here adds a component of sd {np.sqrt(used):.3f} on the log scale.")


def calibration(t):
    table = t["calibration"]
    every = table[table["kind"] == "all"]
    found = "; ".join(
        f"{r.method} at {r.processes} processes x {r.epochs} epochs: {r.coverage:.1%} of "
        f"{r.judged} intervals contain 1, {r.false_verdict_rate:.1%} false verdicts"
        for r in every.itertuples())
    return (table.round(4), "How often does this study see a difference that is not there?",
            "A/A calibration (src/mlpbench/analysis/calibration.py): a cell's identical "
            "processes are split at random into two arms of a design's processes, and the ratio "
            "of the arms judged by an interval method. coverage: the share of 95% intervals "
            "that contain 1 (it should be 95%); false_verdict_rate: the share lying wholly "
            f"beyond 1 +- {GAIN:.0%}, where a claim would be decided on nothing; median_width: "
            "high / low. Only cells with twice a design's processes take part: "
            "config/calibration.yaml runs them (the other studies have too few). "
            + (f"Here: {found}. " if found else "No cell of this study has processes enough. ")
            + between(t))


def not_run(t):
    return (tables.not_run(t["runs"]), "Runs without timings",
            "skipped: not run here, with the reason; invalid: training went non-finite; error: "
            "the process crashed or timed out (the reason ends with its stderr).")


def noisy(t):
    return (tables.noisy(t["cells"]),
            f"Cells with a coefficient of variation above {stats.CV_WARN:.0%}",
            "Their medians are less trustworthy; compare with the intervals in the speed-ups.")


def efficiency(t):
    share = t["efficiency"].set_index("origin").loc["all"]
    harness = "; ".join(
        f"{int(r.threads)} threads: median {r.harness_cpus_median:.3f}, max "
        f"{r.harness_cpus_max:.3f}" for r in tables.harness(t["runs"]).itertuples())
    note = (f"{int(share['processes'])} processes ran {int(share['runs'])} runs in "
            f"{share['process_s'] / 60:.1f} min, from the first timed epoch to the last "
            f"{share['span_min']:.1f} min. The columns say where the rest went: per run the peak "
            "probe, data preparation, set-up, prime (compiling), warm-up epochs, evaluation and "
            "the time between timed epochs; rest_s is each process's start-up (TensorFlow: "
            "seconds), data loading and exit. The study's "
            "own processes (Snakemake, the launcher, Docker's daemons) used, per thread count, "
            f"in CPUs: {harness}. A cell that uses every CPU of the machine shares its CPUs "
            "with that work, which shows as interference in its epochs; a single-threaded cell "
            "leaves a CPU for it.")
    title = f"Timed epochs were {share['timed_share']:.0%} of the timed processes' wall time"
    return t["efficiency"].round(3), title, note


def warmup(t):
    table = t["warmup"]
    slower = table[table["verdict"] != "not slower"]
    title = ("No run had enough timed epochs to check its warm-up" if table.empty else
             "Every implementation's first timed epoch was as fast as the rest" if slower.empty
             else f"{len(slower)} of {len(table)} (implementation, threads) had a first timed "
                  "epoch slower than the rest, or unclear")
    note = ("first_ratio: a run's first timed epoch / the median of its later ones; median over "
            "runs with a 95% bootstrap interval; share_slower: runs more than "
            f"{warmup_check.TOLERANCE:.0%} slower. Not slower: the interval's top within "
            f"{warmup_check.TOLERANCE:.0%}. The warm-up: warmup_steps steps, undone (prime), "
            "then warmup_epochs epochs.")
    return table.round(3), title, note


def disturbed(t):
    return (tables.disturbed(t["runs"]),
            "Disturbed runs (other work took CPU from the run's CPUs)",
            "Every attempt whose epochs lost more than the threshold of their CPUs to other "
            "work (interference, from /proc/stat). cpus: where the attempt ran, the quietest "
            "CPUs just before it started; cpus_busy_before: the busiest of them then; "
            "placed_quiet False: they stayed busy past the study's wait budget, so the run was "
            "measured once. used False: redone, the later attempt counts. used True: still "
            "disturbed after the last attempt, kept and flagged; the claims leave it out.")


def article(t):
    return (article_table.table(gather.timed(t["epochs"]), t["runs"]).round(2),
            "The article's published times beside this study's",
            "Seconds for 35 epochs of the 60000 training samples: the article's as published, "
            "ours as 35 x the median timed epoch of the same implementation, dtype and batch.")


def peak(t):
    return (tables.peak(t["cells"]), "Fraction of the machine's peak per cell",
            "Achieved: the model's FLOPs (matrix products) per second of median epoch time. "
            "Peak: the same process's square-GEMM probe; shapes: numpy-step2's processes' probe "
            "of the MLP's own products at that batch. percent_of_peak = median over runs of "
            "achieved / peak.")


def hardware(t):
    table = tables.hardware(t["runs"])
    title = ("One machine: every timed run came from the same hardware" if len(table) <= 1
             else f"Runs from {len(table)} kinds of hardware: the statistics use only the first")
    return (table, title,
            "Hardware fingerprint: CPU model, CPU count, BLAS kernel, GPUs. Timings from "
            "different hardware are never pooled into one cell or compared with each other; "
            "the statistics, claims and figures use the hardware with the most runs.")


@dataclass(frozen=True)
class Page:
    name: str
    category: str  # the report's section
    table: str  # the labels beside it in the report
    shows: str
    build: Callable

    @property
    def path(self):
        return paths.PAGE.format(name=self.name)

    @property
    def caption(self):
        return f"report/tables/{self.name}.rst"  # from the repository's root

    @property
    def labels(self):
        return {"table": self.table, "shows": self.shows}


PAGES = [
    Page("claims", CLAIMS, "claims", "verdicts from this run's data", claims),
    Page("findings", CLAIMS, "this study against the published findings",
         "each verdict beside the archived ones", findings),
    Page("calibration", CLAIMS, "A/A calibration",
         "coverage of the 95% intervals, false verdicts", calibration),
    Page("not_run", RUNS, "not run", "skipped, invalid and failed runs", not_run),
    Page("noisy", RUNS, "noisy cells", f"CV above {stats.CV_WARN:.0%}", noisy),
    Page("efficiency", RUNS, "measurement efficiency",
         "timed share, duration, the study's own CPU use", efficiency),
    Page("warmup", RUNS, "warm-up check", "first timed epoch against the rest", warmup),
    Page("disturbed", RUNS, "disturbed runs", "interference above the threshold", disturbed),
    Page("article", CLAIMS, "article vs this study", "35 epochs, seconds", article),
    Page("peak", WHERE, "fraction of peak", "achieved / probe GFLOP/s per cell", peak),
    Page("hardware", RUNS, "hardware", "the machines, nodes and SLURM jobs", hardware),
]


def write(inputs, outputs):
    """Render every page: inputs maps table names to CSV paths, outputs page names to paths."""
    frames = {name: pd.read_csv(path) for name, path in inputs.items()}
    for page in PAGES:
        Path(outputs[page.name]).write_text(tables.render(*page.build(frames)))
