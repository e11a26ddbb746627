import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from mlpbench.analysis import gather, stats  # noqa: E402
from mlpbench.report import article, tables  # noqa: E402

inp, out = snakemake.input, snakemake.output  # noqa: F821
runs, efficiency = pd.read_csv(inp.runs), pd.read_csv(inp.efficiency)
share = efficiency.set_index("origin").loc["all"]
harness = tables.harness(runs)
pages = {
    out.claims: tables.render(
        pd.read_csv(inp.claims),
        "Claims of the article, judged from this run",
        "Verdicts are computed from the data (src/mlpbench/analysis/claims.py), never written "
        "by hand.",
    ),
    out.not_run: tables.render(
        tables.not_run(pd.read_csv(inp.runs)),
        "Runs without timings",
        "skipped: not run here, with the reason; invalid: training went non-finite; "
        "error: the process crashed or timed out (the reason ends with its stderr).",
    ),
    out.noisy: tables.render(
        tables.noisy(pd.read_csv(inp.cells)),
        f"Cells with a coefficient of variation above {stats.CV_WARN:.0%}",
        "Their medians are less trustworthy; compare with the intervals in the speed-ups.",
    ),
    out.efficiency: tables.render(
        efficiency.round(3),
        f"Timed epochs were {share['timed_share']:.0%} of the timed processes' wall time",
        f"{int(share['processes'])} processes ran {int(share['runs'])} runs in "
        f"{share['process_s'] / 60:.1f} min, from the first timed epoch to the last "
        f"{share['span_min']:.1f} min; the rest of a process is its start-up (TensorFlow: "
        "seconds), data loading, warm-up epochs, the peak probe and evaluation. The study's own "
        "processes (Snakemake, the launcher, Docker's daemons) used, per thread count, in CPUs: "
        + "; ".join(f"{int(r.threads)} threads: median {r.harness_cpus_median:.3f}, max "
                    f"{r.harness_cpus_max:.3f}" for r in harness.itertuples())
        + ". A cell that uses every CPU of the machine shares its CPUs with that work, which "
        "shows as interference in its epochs; a single-threaded cell leaves a CPU for it.",
    ),
    out.disturbed: tables.render(
        tables.disturbed(runs),
        "Disturbed runs (other work took CPU from the run's CPUs)",
        "Every attempt whose epochs lost more than the threshold of their CPUs to other work "
        "(interference, from /proc/stat). used False: redone, the later attempt counts. used "
        "True: still disturbed after the last attempt, kept and flagged; the claims leave it "
        "out.",
    ),
    out.article: tables.render(
        article.table(gather.timed(pd.read_csv(inp.epochs)), runs).round(2),
        "The article's published times beside this study's",
        "Seconds for 35 epochs of the 60000 training samples: the article's as published, "
        "ours as 35 x the median timed epoch of the same implementation, dtype and batch.",
    ),
    out.peak: tables.render(
        tables.peak(pd.read_csv(inp.cells)),
        "Fraction of the machine's peak per cell",
        "Achieved: the model's FLOPs (matrix products) per second of median epoch time. Peak: "
        "the same process's square-GEMM probe; shapes: its probe of the MLP's own products at "
        "that batch. percent_of_peak = median over runs of achieved / peak.",
    ),
}
for path, page in pages.items():
    Path(path).write_text(page)
