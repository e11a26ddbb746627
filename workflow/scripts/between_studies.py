import os
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from mlpbench.analysis import between_studies  # noqa: E402

# the archived studies are the folders of the rule's archived epochs
folders = [os.path.dirname(p) for p in snakemake.input.archived]  # noqa: F821
table = between_studies.table(folders)
table.to_csv(snakemake.output[0], index=False)  # noqa: F821
print(table.to_string(), file=sys.stderr)
