"""A lock's wheels installed into the image's venv without pip: one layer, the same bytes each
time.

pip leaves behind what differs between two installs: bytecode with timestamps, caches,
direct_url.json with a host path. PyPA's `installer` unpacks a wheel as the wheel spec says and
nothing more; here into a stage folder (destdir) as if at /opt/venv, with scripts for
/opt/venv/bin/python and no bytecode. Each wheel is checked against the lock's hashes first.
The stage becomes a layer with mlpbench.study.layers.from_tree.
"""

import re
from pathlib import Path

from installer import install
from installer.destinations import SchemeDictionaryDestination
from installer.sources import WheelFile

from mlpbench.study.image_archive import sha256_file

VENV = "/opt/venv"
SITE = f"{VENV}/lib/python3.11/site-packages"
SCHEME = {"purelib": SITE, "platlib": SITE, "scripts": f"{VENV}/bin", "data": VENV,
          "headers": f"{VENV}/include/site/python3.11"}
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)")
HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


def lock_hashes(lock_text):
    """{normalised name: (version, {sha256, ...})} of a pip-compile lock with hashes."""
    pins, current = {}, None
    for line in lock_text.splitlines():
        pin = PIN.match(line.strip())
        if pin:
            current = re.sub(r"[-_.]+", "-", pin.group(1)).lower()
            pins[current] = (pin.group(2), set())
        if current:
            pins[current][1].update(HASH.findall(line))
    return pins


def wheel_name(path):
    """The normalised project name of a wheel file."""
    return re.sub(r"[-_.]+", "-", Path(path).name.split("-")[0]).lower()


def install_lock(lock, wheelhouse, stage, done=()):
    """Install every wheel of `lock` found in `wheelhouse` into `stage` (as /opt/venv); skip
    projects in `done` (an earlier lock's). Returns the names installed. ValueError when a
    wheel is not the lock's (name, or a hash the lock does not list)."""
    pins = lock_hashes(Path(lock).read_text())
    installed = []
    for wheel in sorted(Path(wheelhouse).glob("*.whl")):
        name = wheel_name(wheel)
        if name in done:
            continue
        if name not in pins:
            raise ValueError(f"{wheel.name}: not in {lock}")
        if sha256_file(wheel) not in pins[name][1]:
            raise ValueError(f"{wheel.name}: its SHA-256 is not one {lock} lists")
        destination = SchemeDictionaryDestination(
            SCHEME, interpreter=f"{VENV}/bin/python", script_kind="posix",
            bytecode_optimization_levels=(), destdir=str(stage))
        with WheelFile.open(wheel) as source:
            source.validate_record()
            install(source, destination, {"INSTALLER": b"mlpbench\n"})
        installed.append(name)
    missing = sorted(set(pins) - set(installed) - set(done))
    if missing:
        raise ValueError(f"{lock}: no wheel in {wheelhouse} for {', '.join(missing)}")
    return installed
