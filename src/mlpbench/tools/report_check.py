"""Open the HTML report in headless Chromium and check that it really renders.

Snakemake's report is a JavaScript application, so reading the file is not enough. This drives
Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON messages separated
by NUL bytes on file descriptors 3 and 4; no WebSocket library needed), and checks:
- no uncaught script error and no console error while the report loads and is used;
- the claims table (rendered from results/claims.csv into the main page) with its verdicts;
- every image result, shown through the report's own viewer, loads (natural width > 0);
- every HTML table result holds a table.

    python -m mlpbench.tools.report_check results/report.html    # exit 1 with the problems listed
"""

import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlpbench import paths
from mlpbench.analysis.claims import CLAIMS
from mlpbench.analysis.verdicts import VERDICTS
from mlpbench.report.figures import FIGURES

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--remote-debugging-pipe"]
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


class ReportCheckError(RuntimeError):
    pass


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """A headless Chromium driven over --remote-debugging-pipe."""

    def __init__(self, executable, timeout=60):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="mlpbench-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire_fds():  # in the child: its fd 3 reads our commands, fd 4 carries replies
            # via fds >= 10 first, so that neither dup2 overwrites the other pipe's end
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome_r, from_chrome_w)]
            for fd, target in zip(high, (3, 4), strict=True):
                os.dup2(fd, target)  # the copy is inheritable (no close-on-exec)

        self.proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            preexec_fn=wire_fds, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True):
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ReportCheckError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _read(self):
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_chrome], [], [], max(left, 0))
            if not ready:
                raise ReportCheckError("Chromium did not answer in time")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise ReportCheckError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def drain(self, seconds):
        """Collect events for a while (scripts run, images decode)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self._from_chrome], [], [], end - time.monotonic())
            if ready:
                self._buffer += os.read(self._from_chrome, 1 << 20)
                while b"\0" in self._buffer:
                    raw, self._buffer = self._buffer.split(b"\0", 1)
                    self.events.append(json.loads(raw))

    def open(self, url):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send("Target.attachToTarget",
                             {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", {"url": url})
        self.wait_for("document.readyState === 'complete' && !!document.querySelector('#app *')")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise ReportCheckError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, condition, seconds=30):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self.evaluate(f"Boolean({condition})"):
                return True
            self.drain(0.2)
        raise ReportCheckError(f"timed out waiting for: {condition}")

    def errors(self):
        """Uncaught exceptions and console/log errors seen so far."""
        out = []
        for ev in self.events:
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Runtime.exceptionThrown":
                d = params["exceptionDetails"]
                out.append(f"uncaught: {d.get('exception', {}).get('description') or d['text']}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                out.append("console.error: " + " ".join(
                    str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                out.append(f"log: {params['entry'].get('text')}")
        return out

    def close(self):
        try:
            self.send("Browser.close", session=False)
            self.proc.wait(timeout=10)
        except (ReportCheckError, OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self._to_chrome)
            os.close(self._from_chrome)
            shutil.rmtree(self.profile, ignore_errors=True)


# The report keeps its results in the global `results` ({path: {mime_type, data_uri, ...}})
# and its React app in `app`; showing an image goes through app.setView like a click does.
SHOW_IMAGES = """(async () => {
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

HTML_TABLES = """(async () => {
  const out = {};
  for (const [path, entry] of Object.entries(results)) {
    if (entry.mime_type !== 'text/html') continue;
    const text = await (await fetch(entry.data_uri)).text();
    const doc = new DOMParser().parseFromString(text, 'text/html');
    out[path] = doc.querySelectorAll('table tr').length;
  }
  return out;
})()"""

CLAIMS_TABLE = """Array.from(document.querySelectorAll('table.claims tbody tr')).map(
  tr => Array.from(tr.querySelectorAll('td')).map(td => td.textContent.trim()))"""


def check(report, expect_images=None, expect_claims=None, browser=None):
    """Problems found in the report (an empty list when it renders as it should).

    expect_claims: rows of the claims table, by default one per claim in mlpbench.analysis.claims.
    """
    expect_claims = len(CLAIMS) if expect_claims is None else expect_claims
    expect_images = len(FIGURES) if expect_images is None else expect_images
    executable = browser or find_browser()
    if executable is None:
        raise ReportCheckError(f"no Chromium found (tried {', '.join(BROWSERS)}); "
                               "install Debian's `chromium` package")
    b = Browser(executable)
    problems = []
    try:
        b.open(Path(report).resolve().as_uri())
        claims = b.evaluate(CLAIMS_TABLE) or []
        if len(claims) != expect_claims:
            problems.append(f"claims table: {len(claims)} rows, expected {expect_claims}")
        for row in claims:
            if len(row) < 2 or row[1] not in VERDICTS:
                problems.append(f"claims table: bad row {row}")
        widths = b.evaluate(SHOW_IMAGES) or {}
        if len(widths) != expect_images:
            problems.append(f"{len(widths)} image results, expected {expect_images}")
        problems += [f"image not rendered: {p}" for p, w in widths.items() if not w]
        rows = b.evaluate(HTML_TABLES) or {}
        problems += [f"HTML result without a table: {p}" for p, n in rows.items() if not n]
        b.drain(0.5)
        problems += b.errors()
    finally:
        b.close()
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
