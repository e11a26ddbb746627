rule data:
    output:
        DATA,
    log:
        "logs/data.log",
    resources:
        cpus_per_task=1,
        mem_mb=2000,
        runtime=30,
    params:
        python=sys.executable,
        source=(
            f"--source {config['data']['source']}" if config["data"]["source"] else ""
        ),
        outdir=lambda wildcards, output: os.path.dirname(output[0]),
    shell:
        "{params.python} -m mlpbench data --out {params.outdir} {params.source} > {log} 2>&1"
