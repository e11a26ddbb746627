"""The images' base: Debian 12 from its archive, built by mmdebstrap, the same bytes each time.

mmdebstrap with SOURCE_DATE_EPOCH writes a bit-identical tar for the same options and the same
archive content (checked here: two builds under another umask and time zone gave the same
SHA-256). `argv()` is that command. The archive moves (point releases, security updates), so a
base built from another package list is another image: `packages()` reads the list from the
tar's dpkg status, and `compare()` says in one line whether it is the committed one
(envs/base.packages.txt) or which packages changed.
"""

import os
import subprocess
import sys
import tarfile
from pathlib import Path

from mlpbench.study.layers import SOURCE_DATE_EPOCH

SUITE = "bookworm"
MIRRORS = ("deb http://deb.debian.org/debian bookworm main",
           "deb http://deb.debian.org/debian bookworm-updates main",
           "deb http://deb.debian.org/debian-security bookworm-security main")
# The bases (mlpbench.study.images.Image.base): what each installs beyond minbase. base-dev
# adds what torch.compile (inductor) needs at run time: a C++ compiler and Python's headers.
BASES = {"base": ("ca-certificates", "python3", "python3-venv"),
         "base-dev": ("ca-certificates", "g++", "python3", "python3-dev", "python3-venv")}
# Documentation and translations are left out; the copyrights and locale.alias stay.
DPKG_OPTIONS = ("path-exclude=/usr/share/doc/*", "path-include=/usr/share/doc/*/copyright",
                "path-exclude=/usr/share/man/*", "path-exclude=/usr/share/info/*",
                "path-exclude=/usr/share/locale/*",
                "path-include=/usr/share/locale/locale.alias")
# The image's user and venv, written as fixed text (useradd would date /etc/shadow).
HOOKS = ('rm -f "$1/etc/resolv.conf" "$1/etc/hostname"',
         'chroot "$1" python3 -m venv --without-pip /opt/venv',
         'echo "mlpbench:x:10001:10001::/home/mlpbench:/bin/bash" >> "$1/etc/passwd"',
         'echo "mlpbench:x:10001:" >> "$1/etc/group"',
         'install -d -o 10001 -g 10001 -m 0755 "$1/home/mlpbench"')


def environment(environ, epoch=SOURCE_DATE_EPOCH):
    """mmdebstrap's environment: the epoch, and no locale or time zone of the builder's."""
    return {**environ, "SOURCE_DATE_EPOCH": str(epoch), "LC_ALL": "C.UTF-8", "TZ": "UTC"}


def argv(out, packages=BASES["base"], mirrors=MIRRORS, mode="auto"):
    """The mmdebstrap command that writes the base's tar at out."""
    return (["mmdebstrap", f"--mode={mode}", "--variant=minbase", "--format=tar",
             "--skip=output/dev", f"--include={','.join(sorted(packages))}"]
            + [f"--dpkgopt={option}" for option in DPKG_OPTIONS]
            + [f"--customize-hook={hook}" for hook in HOOKS]
            + [SUITE, str(out), *mirrors])


def parse_status(text):
    """{package: version} of the installed packages in a dpkg status file."""
    found, fields = {}, {}
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if fields.get("Status", "").endswith(" installed"):
                found[fields["Package"]] = fields["Version"]
            fields = {}
        elif not line.startswith(" ") and ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value.strip()
    return found


def packages(tar_path):
    """{package: version} installed in a base's tar (read without unpacking it)."""
    with tarfile.open(tar_path) as tar:
        for name in ("./var/lib/dpkg/status", "var/lib/dpkg/status"):
            try:
                return parse_status(tar.extractfile(name).read().decode())
            except KeyError:
                continue
    raise ValueError(f"{tar_path}: no var/lib/dpkg/status")


def listing(found):
    """The committed form of a package list: one `package=version` per line, sorted."""
    return "".join(f"{name}={version}\n" for name, version in sorted(found.items()))


def read_listing(text):
    return dict(line.split("=", 1) for line in text.splitlines()
                if line.strip() and not line.startswith("#"))


def compare(found, committed, name="envs/base.packages.txt"):
    """(same, one line): whether the base's packages are the committed list, and what moved."""
    added = sorted(set(found) - set(committed))
    removed = sorted(set(committed) - set(found))
    changed = sorted(p for p in set(found) & set(committed) if found[p] != committed[p])
    if not (added or removed or changed):
        return True, f"base: matches {name} ({len(found)} packages)"
    moved = ([f"{p} {committed[p]} -> {found[p]}" for p in changed] + [f"+{p} {found[p]}"
             for p in added] + [f"-{p} {committed[p]}" for p in removed])
    return False, (f"base: {len(moved)} package(s) differ from {name} ({', '.join(moved)}): "
                   "this is another image; commit the new list to adopt it")


def build(base, out, repo, mode="auto"):
    """Build the base `base` (BASES) into out (mmdebstrap's tar) and say whether its packages
    are the committed list (repo/envs/{base}.packages.txt); its record (a dict)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    command = argv(partial, BASES[base], mode=mode)
    print("$ " + " ".join(command), file=sys.stderr, flush=True)
    subprocess.run(command, env=environment(os.environ), check=True, stdout=sys.stderr,
                   stderr=sys.stderr)
    os.replace(partial, out)
    found = packages(out)
    committed_path = Path(repo) / "envs" / f"{base}.packages.txt"
    committed = read_listing(committed_path.read_text()) if committed_path.exists() else {}
    same, line = compare(found, committed, f"envs/{base}.packages.txt")
    print(line, file=sys.stderr, flush=True)
    out.with_suffix(".packages.txt").write_text(listing(found))
    version = subprocess.run(["mmdebstrap", "--version"], capture_output=True, text=True)
    return {"base": base, "packages": len(found), "matches_committed_list": same,
            "list_check": line, "mmdebstrap": version.stdout.strip(), "mode": mode,
            "mirrors": list(MIRRORS), "source_date_epoch": SOURCE_DATE_EPOCH}
