"""study.faults: whose fault a failed process is, waiting for the runtime, and redoing the
error records on request."""

import io
import json
import signal

import pytest

from mlpbench.study import faults

DAEMON = ("$ docker run --rm ...\ndocker: Cannot connect to the Docker daemon at "
          "unix:///var/run/docker.sock. Is the docker daemon running?\n")


@pytest.mark.parametrize("runner, code, said, words", [
    ("docker", 125, DAEMON, "container runtime failed (exit 125): docker: Cannot connect"),
    ("docker", 125, "", "container runtime failed (exit 125)"),
    ("docker", 126, "", "could not be invoked"),
    ("docker", 127, "", "not found in the image"),
    ("docker", 128 + signal.SIGKILL, "", "killed from outside by SIGKILL (exit 137)"),
    ("docker", 128 + signal.SIGTERM, "", "by SIGTERM"),
    ("local", -signal.SIGKILL, "", "killed from outside by SIGKILL (exit -9)"),
    ("local", -signal.SIGHUP, "", "by SIGHUP"),
])
def test_the_machinerys_failures_are_named(runner, code, said, words):
    assert words in faults.machinery(runner, code, said)


@pytest.mark.parametrize("runner, code", [
    ("docker", 0), ("local", 0), ("docker", None),  # no failure, or our own timeout's kill
    ("docker", 1), ("local", 1),  # a traceback in mlpbench run
    ("docker", 128 + signal.SIGSEGV), ("local", -signal.SIGSEGV),  # the program crashed
    ("docker", 128 + signal.SIGABRT), ("local", -signal.SIGABRT),
    ("local", 125), ("local", 127),  # no container runtime: the program's own exit status
])
def test_the_programs_own_failures_are_findings(runner, code):
    assert faults.machinery(runner, code, DAEMON) is None


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_await_runtime_waits_until_it_answers(monkeypatch):
    answers = iter([(False, "down"), (False, "down"), (True, "Docker daemon 20.10")])
    monkeypatch.setattr(faults, "runtime_answers", lambda runner: next(answers))
    clock, log = Clock(), io.StringIO()
    assert faults.await_runtime("docker", 60, log, None, clock, clock.sleep) == (
        True, "Docker daemon 20.10")
    assert clock.now == 2 * faults.POLL_S and "runtime answers again" in log.getvalue()


def test_await_runtime_gives_up_after_its_wait_and_the_next_run_does_not_wait(monkeypatch,
                                                                              tmp_path):
    monkeypatch.setattr(faults, "runtime_answers", lambda runner: (False, "no daemon"))
    clock, log, down = Clock(), io.StringIO(), tmp_path / "runtime_down.txt"
    assert faults.await_runtime("docker", 12, log, down, clock, clock.sleep) == (
        False, "no daemon")
    assert clock.now == 12 and "still not answering: no daemon" in log.getvalue()
    assert down.read_text() == "no daemon\n"
    assert faults.await_runtime("docker", 12, log, down, clock, clock.sleep)[0] is False
    assert clock.now == 12  # the next process did not wait again
    monkeypatch.setattr(faults, "runtime_answers", lambda runner: (True, "daemon 20.10"))
    assert faults.await_runtime("docker", 12, log, down, clock, clock.sleep)[0] is True
    assert not down.exists()  # back: the next fault waits again


def test_a_local_runner_always_answers():
    assert faults.runtime_answers("local")[0]


def test_error_records_are_found_among_the_others(tmp_path):
    paths = {status: tmp_path / f"{status}.json" for status in ("ok", "error", "skipped")}
    for status, path in paths.items():
        path.write_text(json.dumps({"status": status}))
    (tmp_path / "cut.json").write_text('{"status": "er')  # a record cut short
    listed = [*map(str, paths.values()), str(tmp_path / "cut.json"), str(tmp_path / "no.json")]
    assert faults.error_records(listed) == [paths["error"]]
    faults.remove(faults.error_records(listed))
    assert not paths["error"].exists() and paths["ok"].exists() and paths["skipped"].exists()
