import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from mlpbench.measure.records import write_atomic  # noqa: E402
from mlpbench.study import runner  # noqa: E402

params = snakemake.params  # noqa: F821
try:
    decided = runner.decide(params.setting, params.devices, snakemake.output.kept)  # noqa: F821
except RuntimeError as e:  # runner docker without a daemon: say why on the console
    print(f"mlpbench: {e}", file=sys.__stderr__)
    sys.exit(1)
for line in decided["said"]:
    print(f"mlpbench: {line}", file=sys.__stderr__)
write_atomic(decided, snakemake.output.decision)  # noqa: F821
