import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821, SIM115

from mlpbench.study.image_base import resolve_base  # noqa: E402

resolve_base(snakemake.params.mode, snakemake.output[0], snakemake.params.repo)  # noqa: F821
