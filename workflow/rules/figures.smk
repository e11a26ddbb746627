# One output per entry of mlpbench.report.figures.FIGURES, its inputs the tables those figures
# read: a new figure is a new entry there, never an edit here.
rule figures:
    input:
        **{name: table_path(name) for name in figures.tables()},
    output:
        **{
            fig.name: report(
                fig.path,
                caption=f"../../{fig.caption}",
                category=fig.category,
                labels=fig.labels,
            )
            for fig in figures.FIGURES
        },
    log:
        "logs/figures.log",
    resources:
        cpus_per_task=1,
        mem_mb=3000,
        runtime=15,
    script:
        "../scripts/figures.py"
