import sys

from snakemake.exceptions import WorkflowError

from mlpbench import grid

try:
    grid.validate(
        config, schema_path=workflow.source_path("../schemas/config.schema.yaml")
    )
except grid.ConfigError as e:
    raise WorkflowError(f"Invalid configuration: {e}") from None

CELLS = grid.cells(config)
SETTINGS = grid.settings(config)
PRIORITY = grid.priorities(config)
DATA = f"{config['data']['dir']}/mnist.npz"
LOCK = "results/.timing.lock"
FIGURES = {
    1: "time_vs_batch",
    2: "speedup_heatmap",
    3: "thread_scaling",
    4: "dtype_ratio",
    5: "phases",
    6: "parity",
    7: "environment",
}

if "timing_slot" not in workflow.global_resources:
    print(
        "mlpbench: no 'timing_slot' resource given (the default profile sets it); timed runs "
        "are still serialised by a lock file, but may hold a core while they wait.",
        file=sys.stderr,
    )


wildcard_constraints:
    impl="[a-z0-9][a-z0-9-]*",
    dtype="float32|float64",
    batch=r"\d+",
    threads=r"\d+",
    repeat=r"\d+",


def priority_of(wildcards):
    cell = grid.Cell(
        wildcards.impl,
        wildcards.dtype,
        int(wildcards.batch),
        int(wildcards.threads),
        int(wildcards.repeat),
    )
    return PRIORITY.get(cell, 0)


def run_records():
    return [cell.path for cell in CELLS]


def figure_paths():
    return [f"results/figures/fig{n}_{name}.png" for n, name in FIGURES.items()]


def all_outputs():
    return [
        "results/runs.csv",
        "results/runs.parquet",
        "results/epochs.csv",
        "results/cells.csv",
        "results/speedups.csv",
        "results/claims.csv",
        "results/tables/claims.html",
        "results/tables/not_run.html",
        "results/tables/noisy.html",
        *figure_paths(),
    ]
