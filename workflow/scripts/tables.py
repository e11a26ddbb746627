import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from mlpbench import stats, tables  # noqa: E402

inp, out = snakemake.input, snakemake.output  # noqa: F821
pages = {
    out.claims: tables.render(
        pd.read_csv(inp.claims),
        "Claims of the article, judged from this run",
        "Verdicts are computed from the data (src/mlpbench/claims.py), never written by hand.",
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
