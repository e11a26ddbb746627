"""Run records (JSON, one per run) -> tidy tables: one row per attempt of a run, one row per
timed epoch.

Parameters are columns, so gathering is a plain concatenation; the provenance is flattened into
`provenance_*` columns (lists and dicts as JSON text, BLAS summarised beside the full info).
A run that was redone because it was disturbed keeps its earlier attempts in the record: each
becomes a row too, with `used` False; the statistics use the final attempt of every run
(`used`), flagged `disturbed` when even that one was. `origin` says whether the run was
planned or added by the adaptive pass. A record without `device` (older runs) ran on the CPU.
"""

import json

import numpy as np
import pandas as pd

from mlpbench.measure import records as run_records
from mlpbench.measure.records import CELL, PHASES, UNTIMED

KEYS = [*CELL[:2], "workload", *CELL[2:]]  # a cell of one workload (subset, epochs' data)
RUN_KEYS = KEYS + ["repeat"]
PARAMS = ["epochs", "warmup_epochs", "subset", "seed"]
SCALARS = ["status", "reason", "process", "attempt", "disturbed", "used", "origin",
           "harness_cpu_per_wall", "interference_run", "os_threads", "train_accuracy",
           "test_accuracy", "train_loss", "test_loss", "t_start", "t_end",
           "runner", "image_digest", "process_wall_s", "achieved_gflops", "peak_gflops",
           "peak_gflops_shapes", "hardware", "hardware_main", "node", "slurm_job_id",
           "cpus", "cpus_busy_before", "placement_wait_s", "placed_quiet", "warmup_steps"]
EPOCH_FLAGS = ["status", "attempt", "disturbed", "used", "origin", "hardware_main"]
DEFAULTS = {"used": True, "origin": "planned", "attempt": 1,
            "disturbed": False, "hardware_main": True}


def load(paths, origin="planned"):
    """The records at `paths`, each attempt its own record (earlier ones first, used False).
    Before tabulating records of several origins together, mark their hardware
    (mlpbench.analysis.hardware.mark)."""
    out = []
    for path in paths:
        record = run_records.read(path)
        for earlier in record.pop("earlier_attempts", None) or []:
            earlier.pop("earlier_attempts", None)
            out.append({**earlier, "used": False, "origin": origin})
        out.append({**record, "used": True, "origin": origin})
    return out


def _median(values):
    return float(np.median(values)) if values else np.nan


def _quantile(values, q):
    return float(np.quantile(values, q)) if values else np.nan


def _json_text(value):
    return value if value is None or isinstance(value, (str, int, float, bool)) \
        else json.dumps(value, sort_keys=True)


def _blas_summary(blas):
    """One line per BLAS/OpenMP library threadpoolctl saw: api, version, arch, threads."""
    if not blas:
        return None
    return "; ".join(
        f"{b.get('internal_api')} {b.get('version')} ({b.get('architecture')}, "
        f"{b.get('num_threads')} threads)" for b in blas)


def provenance_columns(provenance):
    prov = provenance or {}
    cols = {f"provenance_{k}": _json_text(v) for k, v in prov.items()}
    cols["provenance_blas_summary"] = _blas_summary(prov.get("blas"))
    return cols


def _fields(record, names):
    row = {k: record.get(k) for k in names}
    for key, default in DEFAULTS.items():  # a record not read through load()
        if key in row and row[key] is None:
            row[key] = default
    return row


def run_row(record):
    wall = record.get("epoch_wall_s") or []
    row = _fields(record, RUN_KEYS + PARAMS + SCALARS)
    q1, q3 = _quantile(wall, 0.25), _quantile(wall, 0.75)
    row.update(
        n_epochs_timed=len(wall),
        epoch_wall_s_median=_median(wall),
        epoch_wall_s_sum=float(sum(wall)),
        epoch_wall_s_q1=q1,
        epoch_wall_s_q3=q3,
        epoch_wall_s_iqr=q3 - q1,
        epoch_wall_s_min=min(wall) if wall else np.nan,
        epoch_cpu_s_median=_median(record.get("epoch_cpu_s") or []),
        cpu_per_wall_median=_median(record.get("cpu_per_wall") or []),
        interference_max=max(record.get("interference") or [np.nan]),
        machine_busy_median=_median(record.get("machine_busy") or []),
    )
    phases = record.get("phase_s") or {}
    for phase in PHASES:
        row[f"phase_{phase}_s_median"] = _median(phases.get(phase) or [])
    untimed = record.get("untimed_s") or {}
    for part in UNTIMED:
        row[f"untimed_{part}_s"] = untimed.get(part, np.nan)
    for k, v in (record.get("hyper") or {}).items():
        row[f"hyper_{k}"] = _json_text(v)
    for k, v in (record.get("impl_info") or {}).items():
        row[f"impl_info_{k}"] = _json_text(v)
    row["command"] = " ".join(record.get("command") or [])
    row.update(provenance_columns(record.get("provenance")))
    return row


def epoch_rows(record):
    wall = record.get("epoch_wall_s") or []
    cpu = record.get("epoch_cpu_s") or [np.nan] * len(wall)
    shared = {k: record.get(k) or [np.nan] * len(wall) for k in ("interference", "machine_busy")}
    phases = record.get("phase_s") or {}
    first = record.get("warmup_epochs") or 0
    for i, w in enumerate(wall):
        row = _fields(record, RUN_KEYS + EPOCH_FLAGS)
        row.update(epoch=first + i, wall_s=w, cpu_s=cpu[i], cpu_per_wall=cpu[i] / w,
                   interference=shared["interference"][i],
                   machine_busy=shared["machine_busy"][i])
        for phase in PHASES:
            values = phases.get(phase) or []
            row[f"{phase}_s"] = values[i] if i < len(values) else np.nan
        yield row


def runs_table(records, plan=None):
    """One row per run. With the plan (results/plan.csv), adds the planned and actual order.

    The plan (one row per process) is joined on (impl, threads, repeat, device) for the
    planned runs.
    """
    runs = pd.DataFrame([run_row(r) for r in records])
    if runs.empty:
        return runs
    runs = runs.sort_values(RUN_KEYS, kind="stable", na_position="last").reset_index(drop=True)
    runs["order_actual"] = runs["t_start"].rank(method="first").astype("Int64")
    if plan is not None:
        on = ["impl", "threads", "repeat", "device"]
        planned = plan[on + ["order_planned", "order_seed"]].assign(origin="planned")
        runs = runs.merge(planned, on=on + ["origin"], how="left")
    return runs


def epochs_table(records):
    rows = [row for r in records for row in epoch_rows(r)]
    columns = (RUN_KEYS + EPOCH_FLAGS + ["epoch", "wall_s", "cpu_s", "cpu_per_wall",
                                          "interference", "machine_busy"]
               + [f"{p}_s" for p in PHASES])
    return pd.DataFrame(rows, columns=columns)


def timed(table):
    """The rows (epochs or runs) that count for timing statistics: the used attempt of runs
    with status ok, planned or extra (the pilot's only decide the design), on the study's main
    hardware (mlpbench.analysis.hardware)."""
    keep = pd.Series(True, index=table.index)
    if "hardware_main" in table:
        keep &= table["hardware_main"].astype(bool)
    if "status" in table:
        keep &= table["status"] == "ok"
    if "used" in table:
        keep &= table["used"].astype(bool)
    if "origin" in table:
        keep &= table["origin"] != "pilot"
    return table[keep]


def plan_table(order, order_seed):
    """The planned order of the processes (grid.run_order) as a table."""
    return pd.DataFrame([{"order_planned": i + 1, **p.__dict__, "order_seed": order_seed}
                         for i, p in enumerate(order)])
