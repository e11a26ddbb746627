rule figures:
    input:
        claims="results/claims.csv",
        runs="results/runs.csv",
        epochs="results/epochs.csv",
        speedups="results/speedups.csv",
        ranking="results/ranking.csv",
        dtype_ratios="results/dtype_ratios.csv",
        thread_scaling="results/thread_scaling.csv",
        overhead="results/overhead.csv",
        native_runs=NATIVE_RUNS,
        findings="results/findings.csv",
    output:
        fig0=report(
            "results/figures/fig0_claims.png",
            caption="../../report/fig0_claims.rst",
            category="0 Claims of the article",
            labels={"figure": "0", "shows": "verdicts: ratio, 95% interval, threshold"},
        ),
        fig1=report(
            "results/figures/fig1_time_vs_batch.png",
            caption="../../report/fig1_time_vs_batch.rst",
            category="1 Timing",
            labels={"figure": "1", "shows": "time per epoch vs batch size"},
        ),
        fig2=report(
            "results/figures/fig2_speedup_heatmap.png",
            caption="../../report/fig2_speedup_heatmap.rst",
            category="1 Timing",
            labels={"figure": "2", "shows": "speed-up over keras-fit"},
        ),
        fig3=report(
            "results/figures/fig3_thread_scaling.png",
            caption="../../report/fig3_thread_scaling.rst",
            category="2 Scaling and precision",
            labels={"figure": "3", "shows": "thread scaling"},
        ),
        fig4=report(
            "results/figures/fig4_dtype_ratio.png",
            caption="../../report/fig4_dtype_ratio.rst",
            category="2 Scaling and precision",
            labels={"figure": "4", "shows": "float64 / float32 time"},
        ),
        fig5=report(
            "results/figures/fig5_phases.png",
            caption="../../report/fig5_phases.rst",
            category="3 Where the time goes",
            labels={"figure": "5", "shows": "phase breakdown"},
        ),
        fig6=report(
            "results/figures/fig6_parity.png",
            caption="../../report/fig6_parity.rst",
            category="4 Correctness",
            labels={"figure": "6", "shows": "accuracy and loss parity"},
        ),
        fig7=report(
            "results/figures/fig7_environment.png",
            caption="../../report/fig7_environment.rst",
            category="5 Environment",
            labels={"figure": "7", "shows": "CPU, BLAS, versions, runner"},
        ),
        fig8=report(
            "results/figures/fig8_roofline.png",
            caption="../../report/fig8_roofline.rst",
            category="3 Where the time goes",
            labels={"figure": "8", "shows": "achieved GFLOP/s against the peak probe"},
        ),
        fig9=report(
            "results/figures/fig9_container_overhead.png",
            caption="../../report/fig9_container_overhead.rst",
            category="5 Environment",
            labels={
                "figure": "9",
                "shows": "container overhead: Docker / native time",
            },
        ),
        fig10=report(
            "results/figures/fig10_ranking.png",
            caption="../../report/fig10_ranking.rst",
            category="1 Timing",
            labels={"figure": "10", "shows": "implementations ranked per batch size"},
        ),
        fig11=report(
            "results/figures/fig11_findings.png",
            caption="../../report/fig11_findings.rst",
            category="0 Claims of the article",
            labels={
                "figure": "11",
                "shows": "this study against the published findings",
            },
        ),
    log:
        "logs/figures.log",
    resources:
        cpus_per_task=1,
        mem_mb=3000,
        runtime=15,
    script:
        "../scripts/figures.py"
