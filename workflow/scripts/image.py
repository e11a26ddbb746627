import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821, SIM115

from pathlib import Path  # noqa: E402

from mlpbench.study.images import build_image  # noqa: E402

inp = snakemake.input  # noqa: F821
repo = Path(inp.src[0]).resolve().parent  # the tree whose pyproject.toml this builds
out = snakemake.output  # noqa: F821
build_image(snakemake.wildcards.image, inp.locks, inp.wheelhouses, inp.base,  # noqa: F821
            inp.base_record, inp.data, out.record, repo, archive=out.archive,
            runtime=snakemake.params.runtime)  # noqa: F821
