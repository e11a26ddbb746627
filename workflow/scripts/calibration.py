import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import pandas as pd  # noqa: E402

from mlpbench.analysis import calibration, gather  # noqa: E402

epochs = gather.timed(pd.read_csv(snakemake.input.epochs))  # noqa: F821
params = snakemake.params  # noqa: F821
table = calibration.calibrate(epochs, params.designs, calibration.METHODS, params.splits)
table.to_csv(snakemake.output[0], index=False)  # noqa: F821
print(table.to_string(), file=sys.stderr)
