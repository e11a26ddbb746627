rule plan:
    output:
        "results/plan.csv",
    log:
        "logs/plan.log",
    resources:
        cpus_per_task=1,
        mem_mb=500,
        runtime=5,
    params:
        order=[cell.path for cell in grid.run_order(config)],
    script:
        "../scripts/plan.py"


# One timed run, locally or in the image (runner docker: the image is an input, so it is
# built first and a rebuilt image redoes the runs). The thread count under study is the
# {threads} wildcard (Snakemake caps `threads:` at --cores). Every run takes the one
# `timing_slot` (the default profile provides exactly one) and a lock file, so no two timed
# runs overlap. A crash or timeout becomes a record with status "error", so the rest of the
# grid goes on. A `shell:` job, not `run:` (which spawns a whole Snakemake process per job)
# nor `script:` (which imports Snakemake).
rule bench:
    input:
        data=DATA,
        image=bench_image,
    output:
        grid.RUN_PATH,
    log:
        "logs/bench/{device}/{impl}/{dtype}/b{batch}_t{threads}_r{repeat}.log",
    priority: priority_of
    threads: lambda wildcards: int(wildcards.threads)
    resources:
        timing_slot=1,
        cpus_per_task=lambda wildcards: int(wildcards.threads),
        mem_mb=4000,
        runtime=lambda wildcards: max(5, -(-config["timeout_s"] // 60)),
    params:
        python=sys.executable,
        settings=grid.settings_args(SETTINGS),
        lock=LOCK,
        image=lambda wildcards, input: f"--image {input.image}" if input.image else "",
        skip=skip_option,
    shell:
        "{params.python} -m mlpbench.launch --impl {wildcards.impl} --dtype {wildcards.dtype}"
        " --batch {wildcards.batch} --threads {wildcards.threads} --repeat {wildcards.repeat}"
        " --device {wildcards.device} {params.settings} --data {input.data} {params.image}"
        " {params.skip} --out {output} --log {log} --lock {params.lock}"
