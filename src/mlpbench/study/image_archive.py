"""The image travels with the study: its archive (study.reproducible), beside its record.

The image record keeps the archive's path, SHA-256 and size (`archive`, `archive_sha256`,
`archive_bytes`). On the shared file system of a cluster every node sees it, so a node whose
daemon lacks the image ID loads it from there before its first timed run: `ensure_loaded()`,
called by the launcher under the node's timing lock, which also holds a node-local lock per
image, so that two runs on one node never load it twice at once. The loaded ID must be the
record's; anything else is a machinery fault. Docker reads the gzipped archive itself; podman
4.3 does not ("invalid tar header"), so it is given the archive unpacked, on its input.
"""

import gzip
import hashlib
import shutil
import subprocess
from pathlib import Path

from mlpbench.study.docker import cli, image_inspect
from mlpbench.study.faults import MachineryFault
from mlpbench.study.node import timing_lock

CHUNK = 1 << 20
LOCK = "/tmp/mlpbench-image-{hex}.lock"  # node-local, as the timing lock


def sha256_file(path):
    """The SHA-256 of a file, read in chunks (archives and wheelhouses are GBs)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_loaded(record, log, docker="docker", lock=LOCK):
    """Make the record's image ID present in this node's daemon, loading it from the record's
    archive when it is not; True when it was loaded. MachineryFault when it cannot be."""
    image_id = record["image_id"]
    if image_inspect(image_id, docker=docker):
        return False
    with timing_lock(lock.format(hex=image_id.removeprefix("sha256:")[:16])):
        if image_inspect(image_id, docker=docker):  # another run loaded it meanwhile
            return False
        archive = record.get("archive")
        if not archive or not Path(archive).exists():
            raise MachineryFault(f"image {image_id} is not in this node's daemon and its "
                                 f"archive {archive or '(none recorded)'} is not here")
        found = sha256_file(archive)
        if found != record.get("archive_sha256"):
            raise MachineryFault(f"image archive {archive} has SHA-256 {found}, its record "
                                 f"says {record.get('archive_sha256')}")
        log.write(f"loading image {image_id} from {archive}\n")
        log.flush()
        returncode, said = load(archive, docker)
        if returncode != 0 or image_inspect(image_id, docker=docker) != image_id:
            raise MachineryFault(f"{docker} load of {archive} did not give {image_id}: "
                                 f"{said.strip()[-300:]}")
        log.write(f"loaded: {said.strip()}\n")
    return True


def load(archive, runtime="docker"):
    """`RUNTIME load` of the archive; (returncode, what it said)."""
    if Path(runtime).name != "podman":
        done = subprocess.run([runtime, "load", "--input", str(archive)], capture_output=True,
                              text=True, check=False)
        return done.returncode, done.stdout + done.stderr
    with gzip.open(archive, "rb") as unpacked, subprocess.Popen(
            [*cli(runtime), "load"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT) as proc:
        try:
            shutil.copyfileobj(unpacked, proc.stdin, CHUNK)
        except BrokenPipeError:
            pass  # it stopped reading: its exit status and words say why
        proc.stdin.close()
        said = proc.stdout.read().decode(errors="replace")
    return proc.returncode, said
