rule gather:
    input:
        records=run_records(),
        plan="results/plan.csv",
    output:
        runs_csv="results/runs.csv",
        runs_parquet="results/runs.parquet",
        epochs="results/epochs.csv",
    log:
        "logs/gather.log",
    resources:
        cpus_per_task=1,
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/gather.py"


rule stats:
    input:
        epochs="results/epochs.csv",
    output:
        cells="results/cells.csv",
        speedups="results/speedups.csv",
        dtype_ratios="results/dtype_ratios.csv",
        thread_scaling="results/thread_scaling.csv",
    log:
        "logs/stats.log",
    resources:
        cpus_per_task=1,
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/stats.py"


rule claims:
    input:
        epochs="results/epochs.csv",
    output:
        csv="results/claims.csv",
    log:
        "logs/claims.log",
    resources:
        cpus_per_task=1,
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/claims.py"
