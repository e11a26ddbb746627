# The published findings' studies (config findings, relative to the repository): inputs of the
# comparison, so that a newly archived study redoes it.
FINDINGS = os.path.join(REPO, config["findings"]) if config["findings"] else None
ARCHIVED = sorted(glob.glob(f"{FINDINGS}/*/*/claims.csv")) if FINDINGS else []
ARCHIVED_EPOCHS = [os.path.join(os.path.dirname(p), "epochs.csv.gz") for p in ARCHIVED]


rule gather:
    input:
        records=run_records,
        extra=paths.table("extra"),
        pilot=pilot_records(),
        plan=paths.table("plan"),
    output:
        runs=paths.table("runs"),
        runs_parquet=paths.table("runs", "parquet"),
        epochs=paths.table("epochs"),
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
        epochs=paths.table("epochs"),
        runs=paths.table("runs"),
    output:
        efficiency=paths.table("efficiency"),
        warmup=paths.table("warmup"),
        cells=paths.table("cells"),
        speedups=paths.table("speedups"),
        ranking=paths.table("ranking"),
        dtype_ratios=paths.table("dtype_ratios"),
        thread_scaling=paths.table("thread_scaling"),
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
        runs=paths.table("runs"),
        native_runs=NATIVE_RUNS,
    output:
        overhead=paths.table("overhead"),
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
        paths.table("between_studies"),
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
        epochs=paths.table("epochs"),
        runs=paths.table("runs"),
        extra=paths.table("extra"),
        between_studies=paths.table("between_studies"),
        native_runs=NATIVE_RUNS,
    output:
        claims=paths.table("claims"),
        verdicts=paths.table("verdicts"),
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
        claims=paths.table("claims"),
        runs=paths.table("runs"),
        ranking=paths.table("ranking"),
        archived=ARCHIVED,
    output:
        findings=paths.table("findings"),
        opening=paths.OPENING,
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
        epochs=paths.table("epochs"),
    output:
        paths.table("calibration"),
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
