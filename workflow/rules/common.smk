import glob
import json
import os
import shlex
import sys

from snakemake.exceptions import WorkflowError

from mlpbench import paths
from mlpbench.measure import DEVICES, DTYPES
from mlpbench.study import design, faults, grid, images, machine, reproducible, rootfs
from mlpbench.study.docker import RUNTIMES
from mlpbench.report import figures, pages

try:
    grid.validate(
        config, schema_path=workflow.source_path("../schemas/config.schema.yaml")
    )
except grid.ConfigError as e:
    raise WorkflowError(f"Invalid configuration: {e}") from None

for name, reason in grid.add_installed(config).items():
    print(f"mlpbench: {name} left out of the study: {reason}", file=sys.stderr)
THREADS = grid.thread_counts(config)
PILOT_DTYPE, PILOT_BATCH, PILOT_THREADS = design.pilot_cell(config, THREADS)
DATA = f"{config['data']['dir']}/mnist.npz"
LOCK = config["timing_lock"]

# On a cluster (profiles/slurm) every timed job has a node to itself, so no global slot.
if workflow.local_exec and "timing_slot" not in workflow.global_resources:
    print(
        "mlpbench: no 'timing_slot' resource given (the default profile sets it); timed runs "
        "are still serialised by the node's lock file, but may hold a core while they wait.",
        file=sys.stderr,
    )


# redo_errors: true (a re-run): the planned runs' error records are removed before the DAG is
# built, with the table gathered from them (Snakemake leaves a missing input alone while what
# was made from it is present), so that their processes run again; a dry run (-n) only says
# how many.
if config["redo_errors"] and workflow.is_main_process and os.path.exists(paths.DESIGN):
    with open(paths.DESIGN) as f:
        ERRORS = faults.error_records(
            path
            for p in grid.processes(config, json.load(f)["repeats"])
            for path in p.run_paths(config)
        )
    DRY_RUN = any(a in ("-n", "--dry-run", "--dryrun") for a in sys.argv)
    if ERRORS and not DRY_RUN:
        faults.remove([*ERRORS, paths.table("runs")])
    print(
        f"mlpbench: redo_errors: {len(ERRORS)} error record(s) "
        f"{'would be ' if DRY_RUN else ''}removed, their processes run again",
        file=sys.stderr,
    )


# At the start of a study (not for a dry run or --lint): the load average and the busiest other
# processes, and one line of warning when the machine is busy; results/machine.json keeps them
# with the machine's description for the archive. It never stops the study.
onstart:
    machine.at_start(paths.MACHINE)


wildcard_constraints:
    device="|".join(DEVICES),
    impl="[a-z0-9][a-z0-9-]*",
    dtype="|".join(DTYPES),
    batch=r"\d+",
    threads=r"\d+",
    repeat=r"\d+",


def the_design():
    """results/design.json, once the design checkpoint has written it."""
    with open(checkpoints.design.get().output[0]) as f:
        return json.load(f)


def planned_processes():
    return grid.run_order(config, the_design()["repeats"])


def process_of(wildcards):
    return grid.Process(
        wildcards.impl, int(wildcards.threads), int(wildcards.repeat), wildcards.device
    )


def priority_of(wildcards):
    """The first process of the shuffled order gets the highest priority (0 before the
    design exists)."""
    if not os.path.exists(paths.DESIGN):
        return 0
    with open(paths.DESIGN) as f:
        order = grid.run_order(config, json.load(f)["repeats"])
    me = process_of(wildcards)
    return len(order) - order.index(me) if me in order else 0


def where_runs():
    """results/runner.json, once the runner checkpoint has decided: runner, why, gpu_skip.
    A job, not the parsing of this file, asks Docker: a dry run or --lint runs no program."""
    with open(checkpoints.runner.get().output.decision) as f:
        return json.load(f)


def settings_args(wildcards=None):
    """The settings every timed process shares, as launch options (the runner decided)."""
    return grid.settings_args(grid.settings(config, where_runs()["runner"], REPO))


def skip_reason(wildcards):
    """Why a cell is recorded as skipped without running (a GPU cell with no usable GPU)."""
    gpu_skip = where_runs()["gpu_skip"]
    return gpu_skip if wildcards.device == "gpu" and gpu_skip else ""


def skip_option(wildcards):
    reason = skip_reason(wildcards)
    return f"--skip-reason {shlex.quote(reason)}" if reason else ""


def bench_image(wildcards):
    """The image record a docker run reads (none for local runs and skipped cells)."""
    if where_runs()["runner"] not in RUNTIMES or skip_reason(wildcards):
        return []
    return image_json(images.image_for(wildcards.impl, wildcards.device))


def pilot_image(wildcards):
    """The image record a pilot process runs in (runner docker or podman; CPU cells)."""
    if where_runs()["runner"] not in RUNTIMES:
        return []
    return image_json(images.image_for(wildcards.impl, "cpu"))


def cpu_image(wildcards=None):
    """The CPU image's record for runner docker or podman (the adaptive pass: the claims' NumPy and
    Keras implementations)."""
    return image_json("cpu") if where_runs()["runner"] in RUNTIMES else []


def run_records(wildcards=None):
    """Every planned run's record (known once the design has chosen the processes)."""
    return [path for p in planned_processes() for path in p.run_paths(config)]


def pilot_records(wildcards=None):
    if config["design"] != "pilot":
        return []
    return [
        paths.PILOT.format(impl=impl, repeat=r)
        for impl in config["implementations"]
        for r in range(1, config["pilot"]["processes"] + 1)
    ]


# The native study's runs.csv (config native_runs): an input of the rules that compare Docker
# with native, or no file at all when it is not set. The config is fixed, so no input function.
NATIVE_RUNS = config.get("native_runs") or []


def table_path(name):
    """A saved table by name, as the figures and pages name their inputs."""
    return NATIVE_RUNS if name == "native_runs" else paths.table(name)


def all_outputs():
    return [
        paths.table("runs"),
        paths.table("runs", "parquet"),
        paths.table("epochs"),
        paths.table("cells"),
        paths.table("speedups"),
        paths.table("claims"),
        paths.table("overhead"),
        paths.table("efficiency"),
        paths.table("warmup"),
        *[fig.path for fig in figures.FIGURES],
        *[page.path for page in pages.PAGES],
    ]


# -- images (workflow/rules/images.smk) --
REPO = workflow.basedir  # the images' sources, wherever --directory puts the results
# What `mlpbench run` imports (study.reproducible.package_sources, the image's last layer): the
# command line and the measure stage (tests/test_cli.py checks that it imports nothing else). A
# change elsewhere (figures, stats, ...) must not rebuild the image, since a new image redoes
# every timed run inside it.
PACKAGE_SOURCES = [str(p) for p in reproducible.package_sources(REPO)]


def image_base(wildcards):
    return paths.BASE.format(base=images.IMAGES[wildcards.image].base)


def image_base_record(wildcards):
    return paths.BASE_RECORD.format(base=images.IMAGES[wildcards.image].base)


def image_locks(wildcards):
    return [f"{REPO}/envs/{lock}.lock" for lock in images.IMAGES[wildcards.image].locks]


def image_wheelhouses(wildcards):
    return [paths.WHEELHOUSE.format(lock=lock) for lock in images.IMAGES[wildcards.image].locks]


def image_json(image):
    """The record of a built image: the input of every timed run inside it."""
    return paths.IMAGE.format(image=image)
