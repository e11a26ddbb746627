import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import pandas as pd  # noqa: E402

from mlpbench.analysis import comparisons, gather, ranking, stats, warmup  # noqa: E402

inp, out = snakemake.input, snakemake.output  # noqa: F821
epochs = gather.timed(pd.read_csv(inp.epochs))
runs = pd.read_csv(inp.runs)
stats.efficiency(runs).to_csv(out.efficiency, index=False)
warmup.first_epoch(epochs, runs).to_csv(out.warmup, index=False)
stats.cells(epochs, runs).to_csv(out.cells, index=False)
comparisons.speedups(epochs).to_csv(out.speedups, index=False)
ranking.table(epochs).to_csv(out.ranking, index=False)
comparisons.dtype_ratios(epochs).to_csv(out.dtype_ratios, index=False)
comparisons.thread_scaling(epochs).to_csv(out.thread_scaling, index=False)
