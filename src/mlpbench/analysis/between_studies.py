"""The third level of variance: the study itself.

Processes vary within a study (stats.ratio's pooled spread); whole studies vary too, by what a
process cannot see (the machine's state that day, the image, the order). Where the published
archive holds two or more studies of one hardware and workload (training samples) whose cells
coincide (the same implementation, device, dtype, batch and threads), each such cell's time is
compared across them: its log time in each study (the mean of its runs' log medians), less that
study's shift over the cells it shares (which a ratio within the study cancels). Their spread
beyond what the studies' own intervals allow is the study component, by the method of moments:

    component = max(0, (observed - expected) / D)

observed: the sum of squared deviations of each cell's shifted log times from their mean;
expected: the same sum as the studies' within-study variances predict; D: its degrees of
freedom (sum over cells of studies - 1, less one per study shift). A claim's interval then adds
the component for each side's cell (stats.ratio's study_var), so that "confirmed" means a
re-run would agree.
"""

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd

from mlpbench.analysis import gather, stats
from mlpbench.analysis.archive import MACHINE

EPOCHS = "epochs.csv.gz"
COLUMNS = ["hardware", "subset", "studies", "cells", "df", "observed_sd", "expected_sd",
           "component", "component_sd", "names"]


def cell_times(epochs, value="wall_s"):
    """{cell key: (log time, its variance)}: the mean of the runs' log medians, and the kind's
    pooled spread over the runs (NaN with no spread to estimate from)."""
    spreads = stats.kind_spreads(epochs, value)
    out = {}
    for key, runs in stats.cell_runs(epochs, value).items():
        var, df = spreads[stats.kind_of(key)]
        out[key] = (float(stats.log_medians(runs).mean()), var / len(runs) if df else np.nan)
    return out


def component(studies):
    """The study component from [{cell: (log time, variance)}], one dict per study: a dict with
    studies, cells (in two or more of them), df, observed_sd, expected_sd, component (a
    variance on the log scale) and component_sd; component None where nothing is shared."""
    shared = sorted(c for c in set().union(*studies) if sum(c in s for s in studies) >= 2)
    taking = [s for s in studies if any(c in s for c in shared)]
    df = sum(sum(c in s for s in taking) - 1 for c in shared) - (len(taking) - 1) \
        if shared else 0
    if df < 1:
        return {"studies": len(studies), "cells": len(shared), "df": max(df, 0),
                "observed_sd": np.nan, "expected_sd": np.nan, "component": None,
                "component_sd": np.nan}

    def means(shifts):
        return {c: np.mean([s[c][0] - shifts[i] for i, s in enumerate(taking) if c in s])
                for c in shared}

    first = means([0.0] * len(taking))
    shifts = [np.mean([s[c][0] - first[c] for c in shared if c in s]) for s in taking]
    centre = means(shifts)
    observed = sum((s[c][0] - shifts[i] - centre[c]) ** 2
                   for i, s in enumerate(taking) for c in shared if c in s)
    m = {c: sum(c in s for s in taking) for c in shared}
    expected = sum(s[c][1] * (1 - 1 / m[c]) for s in taking for c in shared if c in s)
    value = max(0.0, (observed - expected) / df) if np.isfinite(expected) else None
    return {"studies": len(studies), "cells": len(shared), "df": df,
            "observed_sd": float(np.sqrt(observed / df)),
            "expected_sd": float(np.sqrt(expected / df)) if np.isfinite(expected) else np.nan,
            "component": value, "component_sd": np.sqrt(value) if value is not None else np.nan}


def read_epochs(folder):
    with gzip.open(Path(folder) / EPOCHS, "rt") as f:
        return gather.timed(pd.read_csv(f, low_memory=False))


def table(folders):
    """results/between_studies.csv: one row per hardware and workload (training samples) of
    the archived studies in `folders`; those with one study have no component."""
    groups = {}
    for folder in map(Path, folders):
        machine = json.loads((folder / MACHINE).read_text())
        subset = (machine.get("config") or {}).get("subset")
        groups.setdefault((folder.parent.name, subset), []).append(folder)
    rows = []
    for (hardware, subset), members in sorted(groups.items(), key=lambda g: str(g[0])):
        found = component([cell_times(read_epochs(f)) for f in members])
        rows.append({"hardware": hardware, "subset": subset, **found,
                     "names": ";".join(sorted(f.name for f in members))})
    return pd.DataFrame(rows, columns=COLUMNS)


def used(between, hardware, subset):
    """The component a study of this hardware and workload adds to its intervals: 0.0 where the
    archive cannot measure one."""
    row = between[(between["hardware"] == hardware) & (between["subset"] == subset)]
    value = row["component"].iloc[0] if len(row) else None
    return float(value) if value is not None and np.isfinite(value) else 0.0
