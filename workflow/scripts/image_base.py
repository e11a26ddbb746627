import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821, SIM115

from pathlib import Path  # noqa: E402

from mlpbench.measure.records import write_atomic  # noqa: E402
from mlpbench.study import rootfs  # noqa: E402

repo = Path(snakemake.input.packages).resolve().parents[1]  # noqa: F821 (envs/{base}.packages.txt)
out = snakemake.output  # noqa: F821
record = rootfs.build(snakemake.wildcards.base, out.tar, repo,  # noqa: F821
                      mode=snakemake.params.mode)  # noqa: F821
write_atomic(record, out.record)
