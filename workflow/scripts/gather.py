import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import pandas as pd  # noqa: E402

from mlpbench.analysis import gather, hardware  # noqa: E402

inp, out = snakemake.input, snakemake.output  # noqa: F821
extra = pd.read_csv(inp.extra)
records = (gather.load(inp.records) + gather.load(extra["path"], "extra")
           + gather.load(inp.pilot, "pilot"))
hardware.mark(records)
runs = gather.runs_table(records, plan=pd.read_csv(inp.plan))
runs.to_csv(out.runs, index=False)
runs.to_parquet(out.runs_parquet, index=False)
gather.epochs_table(records).to_csv(out.epochs, index=False)
