import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from collections import defaultdict  # noqa: E402

from mlpbench.analysis import gather  # noqa: E402
from mlpbench.measure import records  # noqa: E402
from mlpbench.study import design  # noqa: E402

config = snakemake.config  # noqa: F821
if config["design"] == "pilot":
    pilot = defaultdict(list)
    for record in gather.load(snakemake.input.pilot, "pilot"):  # noqa: F821
        if record["used"]:
            pilot[record["impl"]].append(record)
    chosen = design.plan(pilot, config, snakemake.params.processes_per_repeat)  # noqa: F821
else:
    chosen = design.fixed(config)
print(chosen, file=sys.stderr)
records.write_atomic(chosen, snakemake.output[0])  # noqa: F821
