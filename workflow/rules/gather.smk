# The published findings' studies (config findings, relative to the repository): inputs of the
# comparison, so that a newly archived study redoes it.
FINDINGS = os.path.join(REPO, config["findings"]) if config["findings"] else None
ARCHIVED = sorted(glob.glob(f"{FINDINGS}/*/*/claims.csv")) if FINDINGS else []
ARCHIVED_EPOCHS = [os.path.join(os.path.dirname(p), "epochs.csv.gz") for p in ARCHIVED]


rule gather:
    input:
        records=run_records,
        extra="results/extra.csv",
        pilot=pilot_records(),
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
        runs="results/runs.csv",
    output:
        efficiency="results/efficiency.csv",
        cells="results/cells.csv",
        speedups="results/speedups.csv",
        ranking="results/ranking.csv",
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


# Docker vs native per cell. Always written (empty, with its columns, when this study did not
# run in the container or no native runs are given), so the figures need not ask which.
rule overhead:
    input:
        runs="results/runs.csv",
        native_runs=NATIVE_RUNS,
    output:
        csv="results/overhead.csv",
    log:
        "logs/overhead.log",
    resources:
        cpus_per_task=1,
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/overhead.py"


# The third level of variance: how much identical cells vary between the archived studies of
# one hardware and workload, beyond their own intervals (mlpbench.analysis.between_studies).
rule between_studies:
    input:
        archived=ARCHIVED_EPOCHS,
    output:
        "results/between_studies.csv",
    log:
        "logs/between_studies.log",
    resources:
        cpus_per_task=1,
        mem_mb=2000,
        runtime=5,
    script:
        "../scripts/between_studies.py"


rule claims:
    input:
        epochs="results/epochs.csv",
        runs="results/runs.csv",
        extra="results/extra.csv",
        between="results/between_studies.csv",
        native_runs=NATIVE_RUNS,
    output:
        csv="results/claims.csv",
        verdicts="results/verdicts.csv",
    log:
        "logs/claims.log",
    resources:
        cpus_per_task=1,
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/claims.py"


# This study against the published findings: a row per claim and archived study (same
# hardware judged, other hardware shown), and the report's opening answer.
rule findings:
    input:
        claims="results/claims.csv",
        runs="results/runs.csv",
        ranking="results/ranking.csv",
        archived=ARCHIVED,
    output:
        table="results/findings.csv",
        opening="results/opening.rst",
    log:
        "logs/findings.log",
    resources:
        cpus_per_task=1,
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/findings.py"


# A/A calibration: random splits of identical processes judged as the claims judge them
# (mlpbench.analysis.calibration); no rows where no cell has processes enough.
rule calibration:
    input:
        epochs="results/epochs.csv",
    output:
        "results/calibration.csv",
    log:
        "logs/calibration.log",
    resources:
        cpus_per_task=1,
        mem_mb=2000,
        runtime=10,
    params:
        designs=config["calibration"]["designs"],
        splits=config["calibration"]["splits"],
    script:
        "../scripts/calibration.py"
