"""report.pages: one entry per table page, which the tables rule writes; what the pages show."""

import re
from pathlib import Path

from synthetic import record

from mlpbench.analysis import gather
from mlpbench.report import pages, tables

ROOT = Path(__file__).resolve().parents[1]


def test_tables_rule_outputs_every_page():
    rule = (ROOT / "workflow/rules/report.smk").read_text()
    outputs = set(re.findall(r'(\w+)=report\(\s*"results/tables/(\w+)\.html"', rule))
    assert outputs == {(name, name) for name in pages.PAGES}
    assert pages.paths() == [f"results/tables/{name}.html" for name in pages.PAGES]


def test_harness_leaves_out_processes_that_timed_nothing():
    skipped = record(threads=4, status="skipped", reason="4 threads > 2 CPUs")
    skipped["harness_cpu_per_wall"] = 0.5  # a short process: its share means nothing
    runs = gather.runs_table([record(threads=1), skipped])
    assert list(tables.harness(runs)["threads"]) == [1]
