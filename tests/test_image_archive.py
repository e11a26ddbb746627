"""study.image_archive: the image's archive beside its record is loaded from there, once, on a
node whose daemon lacks it (a fake `docker` stands in for the daemon)."""

import gzip
import io
import threading

import pytest

from mlpbench.study import image_archive
from mlpbench.study.faults import MachineryFault

IMAGE_ID = "sha256:" + "ab" * 32
FAKE = """#!/bin/sh
# a daemon that has IMAGE_ID once `load` ran; every load is counted
state={state}
case "$1 $2" in
  "image inspect") [ -e "$state/loaded" ] && [ "$5" = "{image_id}" ] && echo "{image_id}" \
                   || {{ echo "Error: No such image: $5" >&2; exit 1; }} ;;
  "load --input") sleep 0.2; echo load >> "$state/loads"; touch "$state/loaded"
                  echo "Loaded image: mlpbench:cpu" ;;
  *) exit 125 ;;
esac
"""


@pytest.fixture
def docker(tmp_path):
    fake = tmp_path / "docker"
    fake.write_text(FAKE.format(state=tmp_path, image_id=IMAGE_ID))
    fake.chmod(0o755)
    return str(fake)


def saved(tmp_path, docker):
    """An archive and its record, as the image rule leaves them."""
    archive = tmp_path / "cpu.tar.gz"
    archive.write_bytes(gzip.compress(b"layer bytes of the image", mtime=0))
    return {"image_id": IMAGE_ID, "archive": str(archive),
            "archive_sha256": image_archive.sha256_file(archive),
            "archive_bytes": archive.stat().st_size}


def test_a_node_without_the_image_loads_it_once(tmp_path, docker):
    record, lock = saved(tmp_path, docker), str(tmp_path / "image-{hex}.lock")
    log = io.StringIO()
    assert image_archive.ensure_loaded(record, log, docker=docker, lock=lock) is True
    assert f"loading image {IMAGE_ID}" in log.getvalue()
    assert image_archive.ensure_loaded(record, log, docker=docker, lock=lock) is False
    assert (tmp_path / "loads").read_text().count("load") == 1


def test_two_runs_on_one_node_never_load_it_twice(tmp_path, docker):
    record, lock = saved(tmp_path, docker), str(tmp_path / "image-{hex}.lock")
    loaded = []
    runs = [threading.Thread(target=lambda: loaded.append(image_archive.ensure_loaded(
        record, io.StringIO(), docker=docker, lock=lock))) for _ in range(3)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert sorted(loaded) == [False, False, True]
    assert (tmp_path / "loads").read_text().count("load") == 1


def test_a_missing_or_altered_archive_is_a_machinery_fault(tmp_path, docker):
    record, lock = saved(tmp_path, docker), str(tmp_path / "image-{hex}.lock")
    (tmp_path / "cpu.tar.gz").write_bytes(b"something else")
    with pytest.raises(MachineryFault, match="has SHA-256"):
        image_archive.ensure_loaded(record, io.StringIO(), docker=docker, lock=lock)
    (tmp_path / "cpu.tar.gz").unlink()
    with pytest.raises(MachineryFault, match="is not in this node's daemon and its archive"):
        image_archive.ensure_loaded(record, io.StringIO(), docker=docker, lock=lock)
    assert not (tmp_path / "loads").exists()
