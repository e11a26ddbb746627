import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import pandas as pd  # noqa: E402

from mlpbench import claims  # noqa: E402

epochs = pd.read_csv(snakemake.input.epochs)  # noqa: F821
claims.evaluate(epochs).to_csv(snakemake.output.csv, index=False)  # noqa: F821
