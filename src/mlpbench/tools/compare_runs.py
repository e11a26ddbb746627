"""Check that a study run elsewhere (in the container) computed what the native study computed.

    python -m mlpbench.tools.compare_runs NATIVE/runs.csv OTHER/runs.csv \
        [--runner docker] [--tol X]

For every cell (impl, device, dtype, batch, threads) that ran in both for as many epochs, the
test accuracy of the other run must equal the native one to within --tol (the same code on the
same data with the same seed and thread count: only the libraries' summation order may differ).
A run shortened because its CPUs stayed busy trained fewer epochs, and is not compared. Every
row of OTHER must name its runner (--runner) and, for docker, its image digest (sha256:...).
Prints one line per finding and a summary; exit 1 on any mismatch, 0 otherwise.
"""

import argparse
import sys

import pandas as pd

from mlpbench.analysis.claims import ACCURACY
from mlpbench.measure.records import CELL


def compare(native, other, runner="docker", tol=ACCURACY):
    """Problems found (a list of lines) and the per-cell table of both accuracies."""
    problems = []
    wrong_runner = other[other["runner"] != runner]
    if len(wrong_runner):
        problems.append(f"{len(wrong_runner)} rows do not name runner {runner!r}")
    if runner != "local":  # GPU cells skipped before any container ran name no image
        ran = other[~((other.get("device", "cpu") == "gpu") & (other["status"] == "skipped"))]
        digest = ran["image_digest"].astype("string").fillna("")
        missing = ran[~digest.str.match(r"^sha256:[0-9a-f]{64}$")]
        if len(missing):
            problems.append(f"{len(missing)} rows lack an image digest (sha256:...)")
    keys = [k for k in [*CELL, "epochs", "warmup_epochs"] if k in native and k in other]
    ok = lambda df: df[df["status"] == "ok"].groupby(keys)["test_accuracy"].median()  # noqa: E731
    both = pd.concat({"native": ok(native), "other": ok(other)}, axis=1).dropna()
    both["difference"] = (both["other"] - both["native"]).abs()
    for cell, row in both[both["difference"] > tol].iterrows():
        problems.append(f"{dict(zip(keys, cell, strict=True))}: test accuracy native "
                        f"{row['native']:.4f}, {runner} {row['other']:.4f}")
    not_ok = other[(other["status"] != "ok") & (other.get("device", "cpu") == "cpu")]
    for _, row in not_ok.iterrows():
        problems.append(f"{row['impl']} {row['dtype']} batch {row['batch']} threads "
                        f"{row['threads']}: {row['status']} ({row['reason']})")
    if both.empty:
        problems.append("no cell ran in both studies")
    return problems, both


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m mlpbench.tools.compare_runs",
                                description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("native")
    p.add_argument("other")
    p.add_argument("--runner", default="docker")
    p.add_argument("--tol", type=float, default=ACCURACY, help="largest accuracy difference")
    a = p.parse_args(argv)
    problems, both = compare(pd.read_csv(a.native), pd.read_csv(a.other), a.runner, a.tol)
    for line in problems:
        print(line)
    print(f"{len(both)} cells in both; largest test-accuracy difference "
          f"{both['difference'].max() if len(both) else float('nan'):.2g} (tolerance {a.tol}); "
          f"{'OK' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
