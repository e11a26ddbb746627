"""report.pages: one entry per table page, and the workflow's tables rule writes exactly those."""

import re
from pathlib import Path

from mlpbench.report import pages

ROOT = Path(__file__).resolve().parents[1]


def test_tables_rule_outputs_every_page():
    rule = (ROOT / "workflow/rules/report.smk").read_text()
    outputs = set(re.findall(r'(\w+)=report\(\s*"results/tables/(\w+)\.html"', rule))
    assert outputs == {(name, name) for name in pages.PAGES}
    assert pages.paths() == [f"results/tables/{name}.html" for name in pages.PAGES]
