"""Open the HTML report in headless Chromium and check that it really renders.

Snakemake's report is a JavaScript application, so reading the file is not enough. Selenium
drives Debian's Chromium through Debian's chromedriver (the same version by construction;
Selenium Manager never downloads anything: both paths are given, and SE_OFFLINE is set). It
checks:
- no uncaught script error and no console error while the report loads and is used (the
  browser's log at level SEVERE);
- the claims table (rendered from results/claims.csv into the main page) with its verdicts;
- every image result, shown through the report's own viewer, loads (natural width > 0): one
  per entry of report.figures.FIGURES;
- every HTML table result holds a table: one per entry of report.pages.PAGES.

    python -m mlpbench.tools.report_check results/report.html    # exit 1 with the problems listed
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

from mlpbench import paths
from mlpbench.analysis.claims import CLAIMS
from mlpbench.analysis.verdicts import VERDICTS
from mlpbench.report.figures import FIGURES
from mlpbench.report.pages import PAGES

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver", "/usr/lib/chromium/chromedriver")
TIMEOUT_S = 60


class ReportCheckError(RuntimeError):
    pass


def _first(names):
    return next((path for name in names if (path := shutil.which(name))), None)


def find_browser():
    """(Chromium, its chromedriver), or None when either is missing."""
    browser, driver = _first(BROWSERS), _first(DRIVERS)
    return (browser, driver) if browser and driver else None


def _driver(browser, driver, profile):
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager: never a download
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    chrome.set_script_timeout(TIMEOUT_S)
    chrome.set_page_load_timeout(TIMEOUT_S)
    return chrome


# The report keeps its results in the global `results` ({path: {mime_type, data_uri, ...}})
# and its React app in `app`; showing an image goes through app.setView like a click does.
# WebDriver awaits the promise a script returns.
SHOW_IMAGES = """return (async () => {
  const out = {};
  for (const [path, entry] of Object.entries(results)) {
    if (!entry.mime_type.startsWith('image/')) continue;
    app.setView({content: 'img', contentPath: entry.data_uri, resultPath: path});
    const t0 = Date.now();
    let img = null;
    while (Date.now() - t0 < 10000) {
      img = document.querySelector('#app img[src="' + entry.data_uri + '"]');
      if (img && img.complete) break;
      await new Promise(r => setTimeout(r, 50));
    }
    out[path] = img ? img.naturalWidth : 0;
  }
  return out;
})()"""

HTML_TABLES = """return (async () => {
  const out = {};
  for (const [path, entry] of Object.entries(results)) {
    if (entry.mime_type !== 'text/html') continue;
    const text = await (await fetch(entry.data_uri)).text();
    const doc = new DOMParser().parseFromString(text, 'text/html');
    out[path] = doc.querySelectorAll('table tr').length;
  }
  return out;
})()"""

CLAIMS_TABLE = """return Array.from(document.querySelectorAll('table.claims tbody tr')).map(
  tr => Array.from(tr.querySelectorAll('td')).map(td => td.textContent.trim()))"""

LOADED = "return document.readyState === 'complete' && !!document.querySelector('#app *')"


def _errors(chrome):
    """The browser's SEVERE log entries since the last call: uncaught errors, console.error,
    resources that failed to load."""
    return [f"browser: {e['message']}" for e in chrome.get_log("browser")
            if e.get("level") == "SEVERE"]


def check(report, expect_images=None, expect_claims=None, expect_tables=None, browser=None):
    """Problems found in the report (an empty list when it renders as it should).

    expect_claims: rows of the claims table, by default one per claim in mlpbench.analysis.claims;
    browser: (Chromium, chromedriver), by default find_browser()'s.
    """
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    expect_claims = len(CLAIMS) if expect_claims is None else expect_claims
    expect_images = len(FIGURES) if expect_images is None else expect_images
    expect_tables = len(PAGES) if expect_tables is None else expect_tables
    found = browser or find_browser()
    if found is None:
        raise ReportCheckError(f"no Chromium with its chromedriver (tried {', '.join(BROWSERS)}"
                               f" and {', '.join(DRIVERS)}); install Debian's `chromium` and "
                               "`chromium-driver`")
    profile = tempfile.mkdtemp(prefix="mlpbench-chromium-")
    problems = []
    try:
        chrome = _driver(*found, profile)
    except WebDriverException as e:
        shutil.rmtree(profile, ignore_errors=True)
        raise ReportCheckError(f"Chromium did not start: {e.msg}") from None
    try:
        chrome.get(Path(report).resolve().as_uri())
        WebDriverWait(chrome, TIMEOUT_S).until(lambda c: c.execute_script(LOADED))
        claims = chrome.execute_script(CLAIMS_TABLE) or []
        if len(claims) != expect_claims:
            problems.append(f"claims table: {len(claims)} rows, expected {expect_claims}")
        problems += [f"claims table: bad row {row}" for row in claims
                     if len(row) < 2 or row[1] not in VERDICTS]
        widths = chrome.execute_script(SHOW_IMAGES) or {}
        if len(widths) != expect_images:
            problems.append(f"{len(widths)} image results, expected {expect_images}")
        problems += [f"image not rendered: {p}" for p, w in widths.items() if not w]
        rows = chrome.execute_script(HTML_TABLES) or {}
        if len(rows) != expect_tables:
            problems.append(f"{len(rows)} HTML table results, expected {expect_tables}")
        problems += [f"HTML result without a table: {p}" for p, n in rows.items() if not n]
        problems += _errors(chrome)
    except TimeoutException:
        problems += [f"the report did not load in {TIMEOUT_S} s", *_errors(chrome)]
    except WebDriverException as e:
        problems += [f"script failed: {e.msg}", *_errors(chrome)]
    finally:
        chrome.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return problems


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    report = argv[0] if argv else paths.REPORT
    try:
        problems = check(report)
    except ReportCheckError as e:
        problems = [str(e)]
    for p in problems:
        print(f"report check: {p}", file=sys.stderr)
    if not problems:
        print(f"report check: {report} renders: claims table, figures and tables, no script "
              "errors")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
