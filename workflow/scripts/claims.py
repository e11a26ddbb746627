import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import pandas as pd  # noqa: E402

from mlpbench.analysis import between_studies, claims, hardware  # noqa: E402
from mlpbench.study import adapt  # noqa: E402

inp = snakemake.input  # noqa: F821
native = pd.read_csv(inp.native_runs) if inp.native_runs else None  # [] when not set
runs = pd.read_csv(inp.runs, low_memory=False)
found = hardware.of_runs(runs)
study_var = between_studies.used(pd.read_csv(inp.between_studies), found["name"],
                                 snakemake.config["subset"]) if found else 0.0  # noqa: F821
print(f"the variance between studies added to each side: {study_var:.6f}", file=sys.stderr)
table = claims.evaluate(pd.read_csv(inp.epochs), runs, native,
                        adapt.runs_per_claim(pd.read_csv(inp.extra)), study_var)
table.to_csv(snakemake.output.claims, index=False)  # noqa: F821
# the report's first table: the claims in words
table[["claim", "verdict", "ratio", "ci_low", "ci_high", "side", "threshold", "extra_runs"]].round(
    3).to_csv(snakemake.output.verdicts, index=False)  # noqa: F821
