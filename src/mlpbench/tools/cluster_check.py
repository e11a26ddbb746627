"""Check a study that ran on SLURM: every run names its job, each timed job had its node to
itself, and no two timed processes on a node overlapped.

    python -m mlpbench.tools.cluster_check results/runs.csv [--image results/images/cpu.json]

With --image (a runner docker study): every run also ran in that image, by its ID.

Prints the `sacct` line of every timed job. A timed job had the node to itself when SLURM
allocated it all of the node's CPUs (AllocCPUS, whatever the job asked for: --exclusive).
A timed process's interval runs from the first timed epoch of its runs to the last.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from mlpbench import paths
from mlpbench.study.docker import RUNTIMES

SACCT_FIELDS = "JobID,Comment%48,NodeList,ReqCPUS,AllocCPUS,Start,End,State"


def without_job(runs):
    """Rows of runs.csv that name no SLURM job."""
    return runs[runs["slurm_job_id"].isna()]


def intervals(runs):
    """One row per timed process: node, process, slurm_job_id, start, end (Unix seconds)."""
    timed = runs.dropna(subset=["t_start", "t_end"])
    return (timed.groupby(["node", "process"], as_index=False)
            .agg(slurm_job_id=("slurm_job_id", "first"), start=("t_start", "min"),
                 end=("t_end", "max"))
            .sort_values(["node", "start"]))


def overlaps(runs):
    """[(node, process, later process)] whose timed intervals overlap on one node."""
    found = []
    for node, procs in intervals(runs).groupby("node"):
        rows = list(procs.itertuples())
        for before, after in zip(rows, rows[1:], strict=False):
            if after.start < before.end:
                found.append((node, before.process, after.process))
    return found


def not_in_image(runs, image_id):
    """Rows of runs.csv that did not run in the image image_id (runner docker or podman)."""
    return runs[~runs["runner"].isin(RUNTIMES) | (runs["image_digest"] != image_id)]


def sacct(job_ids):
    """sacct's table of the jobs (allocations only), as text and as rows of fields."""
    ids = ",".join(str(int(j)) for j in job_ids)
    text = subprocess.run(["sacct", "-X", "-j", ids, f"--format={SACCT_FIELDS}"],
                          capture_output=True, text=True, check=True).stdout
    parsed = subprocess.run(["sacct", "-X", "-n", "-P", "-j", ids,
                             "--format=JobID,AllocCPUS,NodeList"],
                            capture_output=True, text=True, check=True).stdout
    return text, [line.split("|") for line in parsed.splitlines() if line]


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m mlpbench.tools.cluster_check",
                                description=__doc__)
    p.add_argument("runs", help="the runs table (results/runs.csv) of a study run with SLURM")
    p.add_argument("--image", help=f"{paths.IMAGE}: every run ran in its image ID")
    a = p.parse_args(argv)
    runs = pd.read_csv(a.runs)
    jobless, overlapping = without_job(runs), overlaps(runs)
    problems = [f"{len(jobless)} of {len(runs)} runs name no SLURM job"] if len(jobless) else []
    if a.image:
        image_id = json.loads(Path(a.image).read_text())["image_id"]
        elsewhere = not_in_image(runs, image_id)
        print(f"image {image_id}: {len(runs) - len(elsewhere)} of {len(runs)} runs ran in it")
        problems += [f"{len(elsewhere)} runs did not run in {image_id}"] if len(elsewhere) else []
    problems += [f"on {n}, {p1} and {p2} overlap" for n, p1, p2 in overlapping]
    jobs = intervals(runs)["slurm_job_id"].dropna().unique()
    if len(jobs):
        text, rows = sacct(jobs)
        print(text)
        cpus = int(runs["provenance_cpu_count"].max())
        problems += [f"job {job} on {nodes} was allocated {alloc} of the node's {cpus} CPUs"
                     for job, alloc, nodes in rows if int(alloc) != cpus]
    print(f"{len(runs)} runs, {len(jobs)} timed jobs on "
          f"{runs['node'].nunique()} node(s); overlapping timed processes: "
          f"{len(overlapping)}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
