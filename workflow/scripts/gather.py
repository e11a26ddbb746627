import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import pandas as pd  # noqa: E402

from mlpbench import gather  # noqa: E402

records = gather.load(snakemake.input.records)  # noqa: F821
runs = gather.runs_table(records, plan=pd.read_csv(snakemake.input.plan))  # noqa: F821
runs.to_csv(snakemake.output.runs_csv, index=False)  # noqa: F821
runs.to_parquet(snakemake.output.runs_parquet, index=False)  # noqa: F821
gather.epochs_table(records).to_csv(snakemake.output.epochs, index=False)  # noqa: F821
