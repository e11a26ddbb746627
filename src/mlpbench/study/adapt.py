"""The adaptive pass: more runs of exactly the cells that undecided claims need.

After the planned runs, a claim whose interval straddles its threshold (inconclusive) gets one
more run of each cell it needs, in a new process, round after round, until every claim is
decided or `max_extra_runs` runs were added. The records go under results/extra/runs/, and
results/extra.csv lists each added run with the claims it was for.
"""

from collections import defaultdict

import pandas as pd

from mlpbench.analysis import between_studies, claims, gather, hardware, verdicts
from mlpbench.study import launch
from mlpbench.study.grid import Process

EXTRA_ROOT = "results/extra/runs"
COLUMNS = ["round", "claims", "impl", "device", "dtype", "batch", "threads", "repeat", "status",
           "path"]


def undecided_cells(table):
    """{cell tuple (impl, device, dtype, batch, threads): [claim keys]} of inconclusive claims."""
    cells = defaultdict(list)
    for _, row in table[table["verdict"] == verdicts.INCONCLUSIVE].iterrows():
        for cell in claims.needed_cells(row):
            cells[tuple(cell[k] for k in claims.CELL)].append(row["key"])
    return dict(cells)


def run(planned_paths, design, settings, data, lock, log_dir, max_extra_runs, image=None,
        between=None):
    """Run rounds of extra runs; return the table of what was added (COLUMNS). between:
    results/between_studies.csv, whose component for this hardware widens the intervals as
    the claims rule's."""
    added, next_repeat = [], defaultdict(lambda: design["processes"] + 1)
    planned = gather.load(planned_paths)
    study_var = None
    for round_no in range(1, max_extra_runs + 1):
        records = planned + gather.load(
            [a["path"] for a in added if a["status"] != "missing"], "extra")
        hardware.mark(records)
        if study_var is None:
            found = hardware.of_runs(gather.runs_table(records)) if between is not None \
                else None
            study_var = between_studies.used(between, found["name"], settings.subset) \
                if found else 0.0
        table = claims.evaluate(gather.epochs_table(records), study_var=study_var)
        todo = list(undecided_cells(table).items())[: max_extra_runs - len(added)]
        if not todo:
            break
        groups = defaultdict(list)
        for (impl, device, dtype, batch, threads), keys in todo:
            groups[(impl, device, threads)].append(((dtype, batch), keys))
        for (impl, device, threads), cells in groups.items():
            process = Process(impl, threads, next_repeat[(impl, device, threads)], device)
            next_repeat[(impl, device, threads)] += 1
            out = process.run_path("{dtype}", "{batch}", EXTRA_ROOT)
            statuses = launch.run(process, [c for c, _ in cells], design["epochs"][impl],
                                  settings, data, out, f"{log_dir}/{impl}_t{threads}.log",
                                  lock, image=image)
            for (dtype, batch), keys in cells:
                added.append({"round": round_no, "claims": ";".join(keys), "impl": impl,
                              "device": device, "dtype": dtype, "batch": batch,
                              "threads": threads, "repeat": process.repeat,
                              "status": statuses.get((dtype, batch), "missing"),
                              "path": process.run_path(dtype, batch, EXTRA_ROOT)})
    return pd.DataFrame(added, columns=COLUMNS)


def runs_per_claim(extra):
    """{claim key: extra runs added for it} from results/extra.csv."""
    counts = defaultdict(int)
    for keys in extra["claims"].dropna():
        for key in keys.split(";"):
            counts[key] += 1
    return dict(counts)
