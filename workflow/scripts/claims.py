import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import pandas as pd  # noqa: E402

from mlpbench.analysis import claims  # noqa: E402
from mlpbench.study import adapt  # noqa: E402

inp = snakemake.input  # noqa: F821
native = pd.read_csv(inp.native_runs) if inp.native_runs else None  # [] when not set
table = claims.evaluate(pd.read_csv(inp.epochs), pd.read_csv(inp.runs), native,
                        adapt.runs_per_claim(pd.read_csv(inp.extra)))
table.to_csv(snakemake.output.csv, index=False)  # noqa: F821
# the report's first table: the claims in words
table[["claim", "verdict", "ratio", "ci_low", "ci_high", "side", "threshold", "extra_runs"]].round(
    3).to_csv(snakemake.output.verdicts, index=False)  # noqa: F821
