"""study.rootfs: the base's mmdebstrap command, its package list, and what moved in Debian."""

import io
import tarfile

from mlpbench.study import rootfs

STATUS = """Package: libc6
Status: install ok installed
Version: 2.36-9+deb12u9
Description: GNU C Library
 continued line: Version: not this

Package: removed-one
Status: deinstall ok config-files
Version: 1.0

Package: python3
Status: install ok installed
Version: 3.11.2-1+b1
"""


def test_argv_is_a_minbase_tar_with_the_epochs_environment(tmp_path):
    argv = rootfs.argv(tmp_path / "base.tar")
    assert argv[:5] == ["mmdebstrap", "--mode=auto", "--variant=minbase", "--format=tar",
                        "--skip=output/dev"]
    assert "--include=ca-certificates,python3,python3-venv" in argv
    assert argv[-4:-3] == [str(tmp_path / "base.tar")] and argv[-3].startswith("deb http")
    env = rootfs.environment({"TZ": "Europe/Paris", "LANG": "de_DE"})
    assert (env["SOURCE_DATE_EPOCH"], env["TZ"], env["LC_ALL"]) == ("1704067200", "UTC",
                                                                    "C.UTF-8")


def test_the_package_list_comes_from_dpkgs_status_in_the_tar(tmp_path):
    path = tmp_path / "base.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("./var/lib/dpkg/status")
        info.size = len(STATUS.encode())
        tar.addfile(info, io.BytesIO(STATUS.encode()))
    found = rootfs.packages(path)
    assert found == {"libc6": "2.36-9+deb12u9", "python3": "3.11.2-1+b1"}
    assert rootfs.read_listing("# bookworm\n" + rootfs.listing(found)) == found


def test_a_moved_archive_is_named_in_one_line():
    committed = {"libc6": "2.36-9+deb12u9", "tzdata": "2024a-0+deb12u1", "old": "1"}
    assert rootfs.compare(committed, committed) == (
        True, "base: matches envs/base.packages.txt (3 packages)")
    found = {"libc6": "2.36-9+deb12u10", "tzdata": "2024a-0+deb12u1", "new": "2"}
    same, line = rootfs.compare(found, committed)
    assert not same and "\n" not in line
    assert line.startswith("base: 3 package(s) differ from envs/base.packages.txt (libc6 "
                           "2.36-9+deb12u9 -> 2.36-9+deb12u10, +new 2, -old 1)")
    assert "another image" in line
