import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import pandas as pd  # noqa: E402

from mlpbench.analysis import gather, overhead  # noqa: E402
from mlpbench.report import figures, forest, published, ranking, validity  # noqa: E402

inp, out = snakemake.input, snakemake.output  # noqa: F821
runs = pd.read_csv(inp.runs)
figures.save(forest.fig_claims(pd.read_csv(inp.claims)), out.fig0)
epochs = gather.timed(pd.read_csv(inp.epochs))
figures.save(figures.fig1_time_vs_batch(epochs), out.fig1)
figures.save(figures.fig2_speedup_heatmap(pd.read_csv(inp.speedups)), out.fig2)
figures.save(figures.fig3_thread_scaling(pd.read_csv(inp.thread_scaling)), out.fig3)
figures.save(figures.fig4_dtype_ratio(pd.read_csv(inp.dtype_ratios)), out.fig4)
figures.save(figures.fig5_phases(epochs), out.fig5)
figures.save(validity.fig6_parity(runs), out.fig6)
figures.save(validity.fig7_environment(runs), out.fig7)
figures.save(figures.fig8_roofline(runs), out.fig8)
native = pd.read_csv(inp.native_runs) if inp.native_runs else None  # [] when not set
figures.save(validity.fig9_container_overhead(pd.read_csv(inp.overhead),
                                             overhead.overhead_gap(runs, native)), out.fig9)
figures.save(ranking.fig10_ranking(pd.read_csv(inp.ranking)), out.fig10)
figures.save(forest.fig_across_studies(published.forest_rows(pd.read_csv(inp.findings))),
             out.fig11)
