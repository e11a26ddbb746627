"""Run records (JSON, one per process) -> tidy tables: one row per run, one row per timed epoch.

Parameters are columns, so gathering is a plain concatenation; the provenance is flattened into
`provenance_*` columns (lists and dicts as JSON text, BLAS summarised beside the full info).
A record without `device` (older runs) ran on the CPU.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd

KEYS = ["impl", "device", "workload", "dtype", "batch", "threads"]
RUN_KEYS = KEYS + ["repeat"]
PARAMS = ["epochs", "warmup_epochs", "subset", "seed"]
SCALARS = ["status", "reason", "os_threads", "train_accuracy", "test_accuracy", "train_loss",
           "test_loss", "final_loss", "t_start", "t_end", "runner", "image_digest",
           "process_wall_s", "achieved_gflops", "peak_gflops", "peak_gflops_shapes"]
PHASES = ("forward", "backward", "update", "shuffle")
DEFAULT_DEVICE = "cpu"  # records written before the device key existed


def load(paths):
    return [json.loads(Path(p).read_text()) for p in paths]


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
    if "device" in row and row["device"] is None:
        row["device"] = DEFAULT_DEVICE
    return row


def run_row(record):
    wall = record.get("epoch_wall_s") or []
    row = _fields(record, RUN_KEYS + PARAMS + SCALARS)
    q1, q3 = _quantile(wall, 0.25), _quantile(wall, 0.75)
    row.update(
        n_epochs_timed=len(wall),
        epoch_wall_s_median=_median(wall),
        epoch_wall_s_q1=q1,
        epoch_wall_s_q3=q3,
        epoch_wall_s_iqr=q3 - q1,
        epoch_wall_s_min=min(wall) if wall else np.nan,
        epoch_cpu_s_median=_median(record.get("epoch_cpu_s") or []),
        cpu_per_wall_median=_median(record.get("cpu_per_wall") or []),
    )
    phases = record.get("phase_s") or {}
    for phase in PHASES:
        row[f"phase_{phase}_s_median"] = _median(phases.get(phase) or [])
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
    phases = record.get("phase_s") or {}
    first = record.get("warmup_epochs") or 0
    for i, w in enumerate(wall):
        row = _fields(record, RUN_KEYS + ["status"])
        row.update(epoch=first + i, wall_s=w, cpu_s=cpu[i], cpu_per_wall=cpu[i] / w)
        for phase in PHASES:
            values = phases.get(phase) or []
            row[f"{phase}_s"] = values[i] if i < len(values) else np.nan
        yield row


def runs_table(records, plan=None):
    """One row per run. With the plan (results/plan.csv), adds the planned and actual order.

    The plan is joined on (impl, dtype, batch, threads, repeat), and on device when the plan
    has that column (plans written before devices existed do not).
    """
    runs = pd.DataFrame([run_row(r) for r in records])
    if runs.empty:
        return runs
    runs = runs.sort_values(RUN_KEYS, kind="stable", na_position="last").reset_index(drop=True)
    runs["order_actual"] = runs["t_start"].rank(method="first").astype("Int64")
    if plan is not None:
        on = ["impl", "dtype", "batch", "threads", "repeat"]
        on += ["device"] if "device" in plan else []
        runs = runs.merge(plan[on + ["order_planned", "order_seed"]], on=on, how="left")
    return runs


def epochs_table(records):
    rows = [row for r in records for row in epoch_rows(r)]
    columns = (RUN_KEYS + ["status", "epoch", "wall_s", "cpu_s", "cpu_per_wall"]
               + [f"{p}_s" for p in PHASES])
    return pd.DataFrame(rows, columns=columns)


def timed(epochs):
    """The epochs that count for timing statistics: those of runs with status ok."""
    return epochs[epochs["status"] == "ok"]


def plan_table(order, order_seed):
    """The planned run order (grid.run_order) as a table."""
    return pd.DataFrame([{"order_planned": i + 1, **c.__dict__, "order_seed": order_seed,
                          "path": c.path} for i, c in enumerate(order)])
