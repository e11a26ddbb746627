"""Tools for developers and CI, apart from what `mlpbench run` and the study import: each is
`python -m mlpbench.tools.NAME`, may import any stage, and nothing outside tools imports it.

compare_claims   two studies' verdicts, or one study against the archive (findings/)
compare_runs     a container's runs against native ones: same cells, same accuracies
report_check     the HTML report opened in headless Chromium
workflow_lint    `snakemake --lint` with the one accepted lint set aside
cluster_check    a SLURM study: every run names its job, no two timed runs overlapped
"""
