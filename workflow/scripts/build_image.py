from mlpbench.study import images

images.from_snakemake(snakemake)  # noqa: F821
