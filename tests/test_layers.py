"""study.layers: a layer's bytes depend on its files alone, not on who built it, where or when."""

import io
import os
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

from mlpbench.study import layers

ROOT = Path(__file__).resolve().parents[1]

# Build a small tree, in an order and with mtimes of the caller's choosing, then its layer.
BUILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from mlpbench.study import layers
    root, out, reverse, shift, extra = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "1", \\
        float(sys.argv[4]), sys.argv[5]
    files = {"bin/tool": ("#!/bin/sh\\n", 0o775), "lib/a.py": ("A = 1\\n", 0o664),
             "lib/" + "n" * 150 + ".txt": ("long name\\n", 0o600), "share/ü.txt": ("ü\\n", 0o644)}
    for rel, (text, mode) in sorted(files.items(), reverse=reverse):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(mode)
        os.utime(path, (time.time() + shift, time.time() + shift))
    os.link(root / "lib/a.py", root / "lib/b.py")
    os.symlink("a.py", root / "lib/c.py")
    if extra:
        (root / "etc").mkdir()
        (root / "etc/build-time").write_text(extra)
    print(layers.write_layer(layers.from_tree(root, "opt/app"), out))
""")


def build(tmp_path, name, umask, tz, reverse, shift, extra=""):
    root, out = tmp_path / name / "tree", tmp_path / name / "layer.tar"
    root.mkdir(parents=True)
    env = {**os.environ, "TZ": tz, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", f"import os; os.umask({umask}); exec({BUILD!r})", str(root),
         str(out), "1" if reverse else "0", str(shift), extra],
        env=env, capture_output=True, text=True, check=True)
    return proc.stdout.strip(), out


def test_the_same_files_give_the_same_layer_whoever_builds_it(tmp_path):
    first, a = build(tmp_path, "one", 0o022, "UTC", False, 0)
    second, b = build(tmp_path, "another/place", 0o077, "Pacific/Kiritimati", True, 86400)
    assert first == second and a.read_bytes() == b.read_bytes()
    assert first.startswith("sha256:") and len(first) == 71


def test_a_planted_difference_changes_the_layer(tmp_path):
    first, _ = build(tmp_path, "one", 0o022, "UTC", False, 0)
    planted, _ = build(tmp_path, "two", 0o022, "UTC", False, 0, extra="1764633600.123")
    assert planted != first


def test_members_are_sorted_and_owned_by_no_one_in_particular(tmp_path):
    _, out = build(tmp_path, "one", 0o077, "UTC", True, 3600)
    with tarfile.open(out) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names, key=lambda n: os.fsencode(n).split(b"/"))
    assert names[:2] == ["opt", "opt/app"]  # missing parents come first
    assert {(m.uid, m.gid, m.uname, m.gname, m.mtime) for m in members} == {
        (0, 0, "", "", layers.SOURCE_DATE_EPOCH)}
    modes = {m.name: m.mode for m in members}
    assert modes["opt/app/bin/tool"] == 0o755 and modes["opt/app/lib/a.py"] == 0o644
    assert modes["opt/app/lib/" + "n" * 150 + ".txt"] == 0o644
    link = next(m for m in members if m.name == "opt/app/lib/b.py")
    assert link.islnk() and link.linkname == "opt/app/lib/a.py"
    assert all("atime" not in m.pax_headers and "ctime" not in m.pax_headers for m in members)


def base_tar(path):
    """A tar as mmdebstrap writes one: owners, a setuid binary, logs, caches, bytecode."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        def add(name, data=None, mode=0o644, uid=0, gid=0, mtime=2_000_000_000, kind=None,
                pax=None):
            info = tarfile.TarInfo(name)
            info.mode, info.uid, info.gid, info.mtime = mode, uid, gid, mtime
            info.pax_headers = pax or {}
            if kind:
                info.type = kind
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        add("./", kind=tarfile.DIRTYPE, mode=0o755)
        add("./usr/bin/passwd", b"elf", mode=0o4755)
        add("./etc/shadow", b"root:*:", mode=0o640, gid=42, mtime=1_000_000_000)
        add("./var/log/dpkg.log", b"installed at 12:03")
        add("./var/log/apt", kind=tarfile.DIRTYPE, mode=0o755)
        add("./var/cache/ldconfig/aux-cache", b"cache")
        add("./usr/lib/python3/__pycache__/x.cpython-311.pyc", b"pyc")
        add("./usr/bin/ping", b"elf", mode=0o755,
            pax={"SCHILY.xattr.security.capability": "cap"})


def test_the_base_keeps_dpkgs_owners_and_loses_what_differs_between_builds(tmp_path):
    base_tar(tmp_path / "raw.tar")
    said = []
    entries = {e.path: e for e in layers.from_tar(tmp_path / "raw.tar", said=said)}
    assert entries["usr/bin/passwd"].mode == 0o4755
    assert (entries["etc/shadow"].gid, entries["etc/shadow"].mode) == (42, 0o640)
    assert entries["etc/shadow"].mtime == 1_000_000_000  # older than the epoch: kept
    assert entries["usr/bin/passwd"].mtime == layers.SOURCE_DATE_EPOCH  # clamped
    assert "var/log/apt" in entries and "var/log/dpkg.log" not in entries
    assert "var/cache/ldconfig/aux-cache" not in entries
    assert not [p for p in entries if p.endswith(".pyc")]
    assert [line for line in said if "extended attributes" in line] == [
        "usr/bin/ping: extended attributes ['SCHILY.xattr.security.capability'] dropped"]
    one = layers.write_layer(entries.values(), tmp_path / "a.tar")
    assert one == layers.write_layer(reversed(list(entries.values())), tmp_path / "b.tar")


def test_a_device_node_is_refused(tmp_path):
    with tarfile.open(tmp_path / "dev.tar", "w") as tar:
        info = tarfile.TarInfo("dev/null")
        info.type = tarfile.CHRTYPE
        tar.addfile(info)
    with pytest.raises(ValueError, match="device"):
        layers.from_tar(tmp_path / "dev.tar")


def test_a_fixed_tree_has_a_pinned_diff_id(tmp_path):
    """Catches a change of tarfile's output between Python releases."""
    entries = [layers.Entry("etc", "dir", 0o755), layers.Entry("etc/a", "file", 0o644, data=b"a"),
               layers.Entry("etc/b", "symlink", 0o777, link="a")]
    assert layers.write_layer(entries, tmp_path / "l.tar") == GOLDEN


GOLDEN = "sha256:79a35fd7f3d6b306adec078d0202817b014620c7136ea1abb29bbce97b0168b2"
