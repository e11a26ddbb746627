"""The adaptive pass: more processes for the cells that undecided claims need.

After the planned runs, each (implementation, device, threads) that an inconclusive claim needs
gets one more process per round, until every claim is decided, `max_extra_runs` runs were
added, or a round added no undisturbed run (busy CPUs decide nothing). An extra process is a
planned one over again: every (dtype, batch) cell of the grid, in an order of its own, so that
its runs are exchangeable with the planned runs they are pooled with (a process of one cell runs
in another context, and its times differ). The records go under results/extra/runs/, and
results/extra.csv lists each added run with the claims it was for.
"""

import itertools
from collections import defaultdict

import pandas as pd

from mlpbench import paths
from mlpbench.analysis import between_studies, claims, gather, hardware, verdicts
from mlpbench.measure import records as run_records
from mlpbench.measure.records import CELL
from mlpbench.study import grid, launch
from mlpbench.study.grid import Process

COLUMNS = ["round", "claims", *CELL, "repeat", "status", "path"]


def undecided_cells(table):
    """{cell tuple (in records.CELL's order): [claim keys]} of inconclusive claims."""
    cells = defaultdict(list)
    for _, row in table[table["verdict"] == verdicts.INCONCLUSIVE].iterrows():
        for cell in claims.needed_cells(row):
            cells[tuple(cell[k] for k in CELL)].append(row["key"])
    return dict(cells)


def run(planned_paths, design, settings, data, lock, log_dir, max_extra_runs, config,
        image=None, between=None, root=paths.EXTRA_RUNS):
    """Run rounds of extra processes; return the table of what was added (COLUMNS). config:
    the study's grid (dtypes, batches, order_seed). between: results/between_studies.csv,
    whose component for this hardware widens the intervals as the claims rule's."""
    cells = grid.process_cells(config)
    added, next_repeat = [], defaultdict(lambda: design["repeats"] + 1)
    planned = gather.load(planned_paths)
    study_var = None
    for round_no in itertools.count(1):
        records = planned + gather.load(
            [a["path"] for a in added if a["status"] != "missing"], "extra")
        hardware.mark(records)
        if study_var is None:
            found = hardware.of_runs(gather.runs_table(records)) if between is not None \
                else None
            study_var = between_studies.used(between, found["name"], settings.subset) \
                if found else 0.0
        table = claims.evaluate(gather.epochs_table(records), study_var=study_var)
        undecided = undecided_cells(table)
        kinds = (dict(zip(CELL, cell, strict=True)) for cell in undecided)
        wanted = list(dict.fromkeys((c["impl"], c["device"], c["threads"]) for c in kinds))
        room = (max_extra_runs - len(added)) // len(cells)
        if not wanted or room < 1:
            break
        usable = 0
        for impl, device, threads in wanted[:room]:
            process = Process(impl, threads, next_repeat[(impl, device, threads)], device)
            next_repeat[(impl, device, threads)] += 1
            out = process.run_path("{dtype}", "{batch}", root)
            statuses = launch.run(process, cells, design["epochs"][impl], settings, data, out,
                                  f"{log_dir}/{impl}_t{threads}.log", lock, image=image,
                                  order_seed=grid.cell_order_seed(config, process))
            for dtype, batch in cells:  # claims: those that needed this cell, if any
                path = process.run_path(dtype, batch, root)
                status = statuses.get((dtype, batch), "missing")
                served = undecided.get((impl, device, dtype, batch, threads))
                added.append({"round": round_no, "claims": ";".join(served) if served else None,
                              "impl": impl, "device": device, "dtype": dtype, "batch": batch,
                              "threads": threads, "repeat": process.repeat, "status": status,
                              "path": path})
                usable += status == "ok" and not run_records.read(path).get("disturbed")
        if not usable:
            break
    return pd.DataFrame(added, columns=COLUMNS)


def runs_per_claim(extra):
    """{claim key: extra runs added for it} from results/extra.csv."""
    counts = defaultdict(int)
    for keys in extra["claims"].dropna():
        for key in keys.split(";"):
            counts[key] += 1
    return dict(counts)
