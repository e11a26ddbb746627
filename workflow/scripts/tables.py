import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from mlpbench.report import pages  # noqa: E402

pages.write(dict(snakemake.input.items()), dict(snakemake.output.items()))  # noqa: F821
