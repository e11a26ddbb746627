import json
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from mlpbench.analysis import gather  # noqa: E402
from mlpbench.study import grid  # noqa: E402

config = snakemake.config  # noqa: F821
with open(snakemake.input.design) as f:  # noqa: F821
    repeats = json.load(f)["repeats"]
gather.plan_table(grid.run_order(config, repeats), config["order_seed"]).to_csv(
    snakemake.output[0], index=False  # noqa: F821
)
