"""The image travels with the study: its archive (study.reproducible), beside its record.

The image record keeps the archive's path, SHA-256 and size (`archive`, `archive_sha256`,
`archive_bytes`). On the shared file system of a cluster every node sees it, so a node whose
daemon lacks the image ID loads it from there before its first timed run: `ensure_loaded()`,
called by the launcher under the node's timing lock, which also holds a node-local lock per
image, so that two runs on one node never load it twice at once. The loaded ID must be the
record's; anything else is a machinery fault.
"""

import hashlib
import subprocess
from pathlib import Path

from mlpbench.study.docker import image_inspect
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
        done = subprocess.run([docker, "load", "--input", archive], capture_output=True,
                              text=True, check=False)
        if done.returncode != 0 or not image_inspect(image_id, docker=docker):
            raise MachineryFault(f"docker load --input {archive} did not give {image_id}: "
                                 f"{(done.stderr or done.stdout).strip()[-300:]}")
        log.write(f"loaded: {done.stdout.strip()}\n")
    return True
