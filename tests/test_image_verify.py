"""study.image_verify: a planted difference (a file holding the build's time) fails the check
and is named, down to the file; the same build elsewhere passes; `check` holds an archive to an
expected ID."""

import shutil

import pytest
from test_docker_archive import build

from mlpbench.study import image_verify


def test_a_planted_build_time_fails_the_comparison_and_is_named(tmp_path, capsys):
    _, a = build(tmp_path, "one")
    _, b = build(tmp_path, "two", planted="1")
    said = image_verify.differences(a, b)
    assert said[0].startswith("layer 1 (sha256:") and "1 path(s) differ" in said[0]
    assert said[1].startswith("  build-time: absent | ('0', '0o644', 0, 0,")
    assert image_verify.main(["compare", str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "build-time" in out
    if shutil.which("diffoscope"):
        assert "build-time" in out.split("differ (type", 1)[1].split("\n", 2)[2]


def test_the_same_build_elsewhere_passes(tmp_path, capsys):
    _, a = build(tmp_path, "one")
    _, b = build(tmp_path, "two/deeper", umask=0o077, tz="Pacific/Kiritimati")
    assert image_verify.differences(a, b) == []
    assert image_verify.main(["compare", str(a), str(b)]) == 0
    assert "the same image" in capsys.readouterr().out


@pytest.mark.parametrize("right", [True, False])
def test_check_holds_an_archive_to_its_expected_id(tmp_path, right):
    ident, a = build(tmp_path, "one")
    expect = ident if right else "sha256:" + "0" * 64
    assert image_verify.main(["check", str(a), "--expect", expect]) == (0 if right else 1)
