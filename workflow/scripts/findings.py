import os
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import pandas as pd  # noqa: E402

from mlpbench.analysis import archive, hardware  # noqa: E402
from mlpbench.report import published  # noqa: E402

inp, out = snakemake.input, snakemake.output  # noqa: F821
claims = pd.read_csv(inp.claims)
runs = pd.read_csv(inp.runs, low_memory=False)
found = hardware.of_runs(runs)
name = found["name"] if found else "unknown hardware"
# the archived studies are the folders of the rule's archived claims
table = archive.against(claims, name, archive.read(os.path.dirname(p) for p in inp.archived))
table.to_csv(out.findings, index=False)
with open(out.opening, "w") as f:
    f.write(published.opening(claims, pd.read_csv(inp.ranking), table, name, runs))
