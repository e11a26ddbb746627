import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import pandas as pd  # noqa: E402

from mlpbench.analysis import overhead  # noqa: E402

inp = snakemake.input  # noqa: F821
native = pd.read_csv(inp.native_runs) if inp.native_runs else None  # [] when not set
overhead.overhead(pd.read_csv(inp.runs), native).to_csv(snakemake.output.overhead, index=False)  # noqa: F821
