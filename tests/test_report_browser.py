"""The HTML report, opened in headless Chromium: no script errors, figures and claims shown."""

import shutil

import pytest
from study_run import tiny_study

from mlpbench.report.figures import FIGURES
from mlpbench.report.pages import PAGES
from mlpbench.tools import report_check

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(report_check.find_browser() is None,
                       reason="no Chromium or chromedriver (apt-get install chromium "
                              "chromium-driver)"),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    workdir = tiny_study(tmp_path_factory.mktemp("report"), report="results/report.html")
    path = workdir / "results" / "report.html"
    assert path.exists(), "one `snakemake` call should leave the report"
    return path


def test_the_report_renders_without_script_errors(report):
    assert report_check.check(report) == []


def test_a_script_error_is_caught(report, tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text(report.read_text().replace("var rules = ", "var rules = missing() || ", 1))
    problems = report_check.check(broken)
    assert any("missing is not defined" in p for p in problems)


def test_a_report_short_of_a_figure_or_a_page_fails(report, tmp_path):
    assert report_check.check(report, expect_images=len(FIGURES) + 1)  # one more than exist
    assert report_check.check(report, expect_tables=len(PAGES) + 1)
    shutil.rmtree(tmp_path)
