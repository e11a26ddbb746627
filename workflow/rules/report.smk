rule tables:
    input:
        runs="results/runs.csv",
        epochs="results/epochs.csv",
        cells="results/cells.csv",
        claims="results/claims.csv",
        efficiency="results/efficiency.csv",
        findings="results/findings.csv",
        calibration="results/calibration.csv",
        between="results/between_studies.csv",
    output:
        claims=report(
            "results/tables/claims.html",
            caption="../../report/claims.rst",
            category="0 Claims of the article",
            labels={"table": "claims", "shows": "verdicts from this run's data"},
        ),
        findings=report(
            "results/tables/findings.html",
            caption="../../report/findings.rst",
            category="0 Claims of the article",
            labels={
                "table": "this study against the published findings",
                "shows": "each verdict beside the archived ones",
            },
        ),
        calibration=report(
            "results/tables/calibration.html",
            caption="../../report/calibration.rst",
            category="0 Claims of the article",
            labels={
                "table": "A/A calibration",
                "shows": "coverage of the 95% intervals, false verdicts",
            },
        ),
        not_run=report(
            "results/tables/not_run.html",
            caption="../../report/not_run.rst",
            category="6 Runs",
            labels={"table": "not run", "shows": "skipped, invalid and failed runs"},
        ),
        noisy=report(
            "results/tables/noisy.html",
            caption="../../report/noisy.rst",
            category="6 Runs",
            labels={"table": "noisy cells", "shows": "CV above 5%"},
        ),
        efficiency=report(
            "results/tables/efficiency.html",
            caption="../../report/efficiency.rst",
            category="6 Runs",
            labels={
                "table": "measurement efficiency",
                "shows": "timed share, duration, the study's own CPU use",
            },
        ),
        disturbed=report(
            "results/tables/disturbed.html",
            caption="../../report/disturbed.rst",
            category="6 Runs",
            labels={"table": "disturbed runs", "shows": "interference above the threshold"},
        ),
        article=report(
            "results/tables/article.html",
            caption="../../report/article.rst",
            category="0 Claims of the article",
            labels={"table": "article vs this study", "shows": "35 epochs, seconds"},
        ),
        peak=report(
            "results/tables/peak.html",
            caption="../../report/peak.rst",
            category="3 Where the time goes",
            labels={
                "table": "fraction of peak",
                "shows": "achieved / probe GFLOP/s per cell",
            },
        ),
        hardware=report(
            "results/tables/hardware.html",
            caption="../../report/hardware.rst",
            category="6 Runs",
            labels={"table": "hardware", "shows": "the machines, nodes and SLURM jobs"},
        ),
    log:
        "logs/tables.log",
    resources:
        cpus_per_task=1,
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/tables.py"


# The main job is one command: after a successful run, Snakemake's own --report writes the
# HTML report (config key `report`; null turns this off). It is a second Snakemake call in the
# same directory, reading the .snakemake/ metadata of this run, with the merged config of this
# run written to results/config.yaml so that both calls see exactly the same study. A run of a
# partial target (e.g. `snakemake results/runs.csv`) leaves the report alone.
onsuccess:
    if config["report"] and all(os.path.exists(path) for path in all_outputs()):
        import subprocess
        import yaml

        os.makedirs("results", exist_ok=True)
        with open("results/config.yaml", "w") as f:
            yaml.safe_dump(dict(config), f, sort_keys=False)
        argv = [
            sys.executable,
            "-m",
            "snakemake",
            "--snakefile",
            workflow.main_snakefile,
            "--configfile",
            "results/config.yaml",
            "--report",
            config["report"],
            "--nolock",
            "--quiet",
        ]
        print(
            f"mlpbench: writing the report to {config['report']}", file=sys.stderr
        )
        if subprocess.run(argv, check=False).returncode != 0:
            raise WorkflowError(f"writing the report to {config['report']} failed")
