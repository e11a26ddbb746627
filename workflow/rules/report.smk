# One output per entry of mlpbench.report.pages.PAGES: a new page is a new entry there.
rule tables:
    input:
        **{name: table_path(name) for name in pages.TABLES},
    output:
        **{
            page.name: report(
                page.path,
                caption=f"../../{page.caption}",
                category=page.category,
                labels=page.labels,
            )
            for page in pages.PAGES
        },
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

        os.makedirs(paths.RESULTS, exist_ok=True)
        with open(paths.CONFIG, "w") as f:
            yaml.safe_dump(dict(config), f, sort_keys=False)
        argv = [
            sys.executable,
            "-m",
            "snakemake",
            "--snakefile",
            workflow.main_snakefile,
            "--configfile",
            paths.CONFIG,
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
