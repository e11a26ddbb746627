# mlpbench study: the grid of timed runs -> tidy results -> statistics -> figures -> claims.
# One command runs it and leaves results/report.html (see workflow/rules/report.smk):
#     snakemake --cores 4                              (the default study, config/config.yaml)
#     snakemake --cores 2 --configfile config/quick.yaml
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/images.smk"
include: "workflow/rules/bench.smk"
include: "workflow/rules/gather.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"


# On a cluster (profiles/slurm) these run where Snakemake runs: quick table work, no timing.
# The timed jobs, the runner check and the image builds go to the nodes that time.
localrules:
    all,
    data,
    design,
    plan,
    gather,
    stats,
    overhead,
    between_studies,
    claims,
    findings,
    calibration,
    figures,
    tables,


rule all:
    default_target: True
    input:
        all_outputs(),
