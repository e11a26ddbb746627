"""The implementations ranked by time per epoch within each (device, dtype, batch, threads).

Each row carries its median with a two-level bootstrap interval (stats), and its
speed relative to numpy-fast, the careful NumPy MLP that every framework is measured against:
a rank alone says nothing of whether the next one down is really slower.
"""

import numpy as np
import pandas as pd

from mlpbench.analysis import stats

REFERENCE = "numpy-fast"
GROUP = ["device", "dtype", "threads", "batch"]  # what is ranked within; devices never mix
COLUMNS = [*GROUP, "rank", "impl", "workload", "median_s", "ci_low_s", "ci_high_s",
           "reference", "speed", "speed_ci_low", "speed_ci_high", "significant"]
NO_REFERENCE = {"ratio": np.nan, "ci_low": np.nan, "ci_high": np.nan, "significant": False}


def table(epochs, reference=REFERENCE, value="wall_s"):
    """results/ranking.csv: rank 1 is the smallest median time per epoch of its group.

    speed = the reference's median time / this one's (> 1: faster than the reference), with
    its 95% interval (stats.ratio); NaN where the reference did not run in the group.
    """
    runs, spread = stats.cell_runs(epochs, value), stats.kind_spreads(epochs, value)
    ref = stats.baseline_runs(runs, reference)
    rows = []
    for (impl, device, workload, dtype, batch, threads), r in runs.items():
        time = stats.median_interval(r)
        speed = stats.ratio(ref.get((device, dtype, batch, threads)), r,
                            spread.get((reference, device, threads)),
                            spread[(impl, device, threads)]) or NO_REFERENCE
        rows.append({"device": device, "dtype": dtype, "threads": threads, "batch": batch,
                     "impl": impl, "workload": workload, "median_s": time["median"],
                     "ci_low_s": time["ci_low"], "ci_high_s": time["ci_high"],
                     "reference": reference, "speed": speed["ratio"],
                     "speed_ci_low": speed["ci_low"], "speed_ci_high": speed["ci_high"],
                     "significant": speed["significant"]})
    out = pd.DataFrame(rows, columns=COLUMNS).sort_values([*GROUP, "median_s", "impl"],
                                                          ignore_index=True)
    out["rank"] = out.groupby(GROUP).cumcount() + 1
    return out
