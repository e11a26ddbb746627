"""The run record: one JSON file per run (one cell measured in one process), its one owner.

`mlpbench run` builds the measured part (base_record, then the timings); the study's launcher
(mlpbench.study.launch) adds how the run was launched (LAUNCH_FIELDS) and writes records for
runs that produced none (error_record). docs/interfaces.md lists every field.

schema_version 2 (was 1) adds, per timed epoch, `interference` and `machine_busy`
(mlpbench.measure.interference), `interference_run` over all timed epochs, and from the
launcher `process`, `attempt`, `disturbed`, `earlier_attempts` (the records of the attempts
that were redone) and `harness_cpu_per_wall`.
In the gathered tables (mlpbench.analysis.gather) that makes these columns new:
- runs.csv: process, attempt, disturbed, used, origin, harness_cpu_per_wall, interference_run,
  epoch_wall_s_sum, interference_max, machine_busy_median (one row per attempt; a run redone
  after a disturbance has a row for each attempt, `used` on its last);
- epochs.csv: attempt, disturbed, used, origin, interference, machine_busy.
order_planned in runs.csv is now the planned position of the run's process.

schema_version 3 adds, from the launcher (mlpbench.study.node), `node` (the host the process
ran on, not the container's name), `slurm_job_id` (None outside SLURM) and `gpus` (the node's
GPU models). gather derives `hardware` (a fingerprint of the machine) from them and the
provenance.

schema_version 4 drops `final_loss` (it was always `train_loss`); archived tables that have the
column keep it, and nothing reads it.
"""

import json
import os
from pathlib import Path

SCHEMA_VERSION = 4
# A cell is one point of the grid; a run is a cell measured in one process, with these fields.
CELL = ("impl", "device", "dtype", "batch", "threads")
RUN_FIELDS = (*CELL, "epochs", "warmup_epochs", "subset", "seed")
# added by the launcher to every record it leaves
LAUNCH_FIELDS = ("repeat", "process", "attempt", "disturbed", "earlier_attempts", "command",
                 "process_wall_s", "harness_cpu_per_wall", "node", "slurm_job_id", "gpus")
PHASES = ("forward", "backward", "update", "shuffle")  # phase_s's keys (NumPy implementations)
# untimed_s's keys: a run's parts outside its timed epochs, in the order they run
UNTIMED = ("probe", "prepare", "setup", "prime", "warmup", "evaluate")
PER_EPOCH = ("epoch_wall_s", "epoch_cpu_s", "cpu_per_wall", "interference", "machine_busy")


def base_record(cell, workload, hyper, status="ok", reason=None):
    """The fields every record has before anything is measured; cell: RUN_FIELDS as a dict."""
    return {
        "schema_version": SCHEMA_VERSION,
        "status": status,
        "reason": reason,
        **{k: cell[k] for k in RUN_FIELDS},
        "workload": workload,
        "hyper": hyper,
        "runner": os.environ.get("MLPBENCH_RUNNER", "local"),
        "image_digest": os.environ.get("MLPBENCH_IMAGE_DIGEST") or None,
    }


def error_record(cell, reason, status="error", runner="local", image_digest=None):
    """A record for a run that produced none: status "error" (crash, timeout) or "skipped"."""
    record = base_record(cell, None, None, status, reason)
    record.update({k: [] for k in PER_EPOCH}, phase_s=None, runner=runner,
                  image_digest=image_digest, provenance=None)
    return record


def write_atomic(record, out):
    """Write JSON so that a reader sees either no file or the whole record."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=1, allow_nan=False))
    os.replace(tmp, out)


class DamagedRecord(ValueError):
    """A record file that is not valid JSON (e.g. truncated); the message says how to redo it."""


def read(path):
    try:
        return json.loads(Path(path).read_text())
    except json.JSONDecodeError as e:
        raise DamagedRecord(f"damaged run record {path} ({e.msg}); delete it and run the "
                            "workflow again to redo that run") from None
