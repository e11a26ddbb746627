import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import pandas as pd  # noqa: E402

from mlpbench.report import figures  # noqa: E402

# an input given as [] (native_runs not set) reaches the figure as None
frames = {name: pd.read_csv(path) if path else None
          for name, path in snakemake.input.items()}  # noqa: F821
figures.draw(frames, dict(snakemake.output.items()))  # noqa: F821
