# The timed processes. Each takes the one `timing_slot` (the default profile provides exactly
# one) and a lock file, so no two timed processes overlap, and is launched by mlpbench.study.launch
# (a `shell:` job: no Snakemake process per run), which redoes disturbed runs and turns a
# crash or timeout into an error record, so that the rest of the grid goes on. runner docker:
# the image is an input, so it is built first and a rebuilt image redoes the runs. The thread
# count under study is the {threads} wildcard (Snakemake caps `threads:` at --cores).
LAUNCH = (
    "{params.python} -m mlpbench.study.launch --impl {wildcards.impl} --threads {params.threads}"
    " --repeat {wildcards.repeat} --device {params.device} {params.settings}"
    " --data {input.data} {params.image} {params.skip} --log {log} --lock {params.lock}"
)


# Where the timed processes run (runner auto | local | docker, and whether GPU cells can run):
# decided by a job, so that parsing the workflow, a dry run or --lint asks Docker nothing.
checkpoint runner:
    output:
        decision=paths.RUNNER,
        kept=update(paths.RUNNER_KEPT),  # runner auto's choice, kept when the decision is redone
    log:
        "logs/runner.log",
    resources:
        cpus_per_task=1,
        mem_mb=500,
        runtime=5,
    params:
        setting=config["runner"],
        devices=config["devices"],
    script:
        "../scripts/runner.py"


# The pilot (design: pilot): a few processes of one cell per implementation, whose variances
# and costs decide the design.
rule pilot:
    input:
        data=DATA,
        image=pilot_image,
    output:
        paths.PILOT,
    log:
        "logs/pilot/{impl}_r{repeat}.log",
    resources:
        timing_slot=1,
        cpus_per_task=PILOT_THREADS,
        mem_mb=4000,
        runtime=grid.job_runtime_min(config),
    params:
        python=sys.executable,
        threads=PILOT_THREADS,
        device="cpu",
        settings=settings_args,
        lock=LOCK,
        image=lambda wildcards, input: f"--image {input.image}" if input.image else "",
        skip="",
        epochs=config["pilot"]["epochs"],
    shell:
        LAUNCH
        + f" --dtypes {PILOT_DTYPE} --batches {PILOT_BATCH}"
        + " --epochs {params.epochs} --out {output}"


# Processes per cell and timed epochs per implementation (mlpbench.study.design): from the pilot,
# or fixed by the config. A checkpoint: the number of processes decides the jobs below.
checkpoint design:
    input:
        pilot=pilot_records(),
    output:
        paths.DESIGN,
    log:
        "logs/design.log",
    resources:
        cpus_per_task=1,
        mem_mb=500,
        runtime=5,
    params:
        # thread counts above the machine's CPUs cost nothing: their cells are skipped
        processes_per_repeat={
            impl: sum(grid.runs_on(impl, d) for d in config["devices"])
            * sum(t <= grid.machine_cpus() for t in THREADS)
            for impl in config["implementations"]
        },
    script:
        "../scripts/design.py"


rule plan:
    input:
        design=paths.DESIGN,
    output:
        paths.table("plan"),
    log:
        "logs/plan.log",
    resources:
        cpus_per_task=1,
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/plan.py"


# One planned process: every (dtype, batch) of the config, in an order of its own.
rule bench:
    input:
        data=DATA,
        image=bench_image,
        design=paths.DESIGN,
    output:
        [paths.run(dtype=dtype, batch=batch) for dtype, batch in grid.process_cells(config)],
    log:
        "logs/bench/{device}/{impl}/t{threads}_r{repeat}.log",
    priority: priority_of
    threads: lambda wildcards: int(wildcards.threads)
    resources:
        timing_slot=1,
        cpus_per_task=lambda wildcards: int(wildcards.threads),
        mem_mb=4000,
        runtime=grid.job_runtime_min(config),
    params:
        python=sys.executable,
        threads=lambda wildcards: wildcards.threads,
        device=lambda wildcards: wildcards.device,
        settings=settings_args,
        lock=LOCK,
        image=lambda wildcards, input: f"--image {input.image}" if input.image else "",
        skip=skip_option,
        cells=f"--dtypes {','.join(config['dtypes'])}"
        + f" --batches {','.join(map(str, config['batches']))}",
        order=lambda wildcards: "--order-seed "
        + str(grid.cell_order_seed(config, process_of(wildcards))),
        out=lambda wildcards: process_of(wildcards).run_path("{dtype}", "{batch}"),
    shell:
        LAUNCH
        + " {params.cells} {params.order} --design {input.design} --out '{params.out}'"


# The adaptive pass: more runs of the cells that inconclusive claims need, until they are
# decided or max_extra_runs runs were added (mlpbench.study.adapt).
rule adapt:
    input:
        records=run_records,
        design=paths.DESIGN,
        between_studies=paths.table("between_studies"),
        data=DATA,
        image=cpu_image,
    output:
        extra=paths.table("extra"),
        runs=directory(paths.EXTRA_RUNS),
    log:
        "logs/adapt.log",
    resources:
        timing_slot=1,
        cpus_per_task=max(THREADS),
        mem_mb=4000,
        runtime=grid.job_runtime_min(config, grid.adapt_processes(config)),
    params:
        settings=lambda wildcards: grid.settings(config, where_runs()["runner"], REPO),
        lock=LOCK,
    script:
        "../scripts/adapt.py"
