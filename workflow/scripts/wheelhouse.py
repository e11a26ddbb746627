import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821, SIM115

from mlpbench.study.images import download_wheelhouse  # noqa: E402

download_wheelhouse(snakemake.input.lock, snakemake.output[0])  # noqa: F821
