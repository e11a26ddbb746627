"""Check that an image ID comes from its sources: rebuild the image elsewhere and compare.

    python -m mlpbench.study.image_verify check ARCHIVE --expect sha256:...
        every digest in the archive checked, and its ID compared (no daemon, no rebuild)
    python -m mlpbench.study.image_verify build cpu --out DIR
        the base and the image built from this tree into DIR; prints the ID
    python -m mlpbench.study.image_verify rebuild cpu --record results/images/cpu.json
        a fresh clone of the record's revision, in another folder, under umask 077 and another
        time zone, with a fresh base: built again, and its ID compared with the record's, which
        gains `reproduced`. On a difference it names the layers and files that differ (and
        runs diffoscope on the first differing layer, where it is installed), and exits 1.
    python -m mlpbench.study.image_verify compare A.tar.gz B.tar.gz
        what differs between two archives; exit 1 when their IDs do
"""

import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from mlpbench.measure.records import write_atomic
from mlpbench.study import docker_archive, images, reproducible, rootfs

REBUILD_ENV = {"TZ": "Pacific/Kiritimati", "LC_ALL": "C", "LANG": "C"}  # not the first build's
REBUILD_UMASK = 0o077


def _members(layer):
    """{path: (type, mode, uid, gid, size, sha256 of the content, link)} of a layer's tar."""
    found = {}
    with tarfile.open(fileobj=layer, mode="r|") as tar:
        for m in tar:
            content = tar.extractfile(m).read() if m.isfile() else b""
            found[m.name] = (m.type.decode(), oct(m.mode), m.uid, m.gid, m.size, m.mtime,
                             hashlib.sha256(content).hexdigest()[:16], m.linkname)
    return found


def _layers(archive):
    with tarfile.open(archive) as tar:
        [manifest] = json.load(tar.extractfile("manifest.json"))
        config = json.loads(tar.extractfile(manifest["Config"]).read())
    return config, manifest["Layers"]


def differences(a, b, limit=20):
    """Lines saying what differs between the archives a and b: the config's fields, then for
    each layer whose digest differs, up to `limit` paths with what each holds in a and b."""
    (config_a, layers_a), (config_b, layers_b) = _layers(a), _layers(b)
    said = [f"config: {key} differs" for key in sorted(set(config_a) | set(config_b))
            if key != "rootfs" and config_a.get(key) != config_b.get(key)]
    ids_a, ids_b = config_a["rootfs"]["diff_ids"], config_b["rootfs"]["diff_ids"]
    if len(ids_a) != len(ids_b):
        said.append(f"{len(ids_a)} layers against {len(ids_b)}")
    with tarfile.open(a) as tar_a, tarfile.open(b) as tar_b:
        for n, (la, lb, ia, ib) in enumerate(zip(layers_a, layers_b, ids_a, ids_b,
                                                 strict=False)):
            if ia == ib:
                continue
            ma, mb = _members(tar_a.extractfile(la)), _members(tar_b.extractfile(lb))
            paths = sorted(p for p in set(ma) | set(mb) if ma.get(p) != mb.get(p))
            said.append(f"layer {n + 1} ({ia[:19]} against {ib[:19]}): {len(paths)} "
                        "path(s) differ (type, mode, uid, gid, size, mtime, sha256, link)")
            said += [f"  {p}: {ma.get(p, 'absent')} | {mb.get(p, 'absent')}"
                     for p in paths[:limit]]
    return said


def diffoscope(a, b, where):
    """diffoscope's text report on the first layer that differs, or why there is none."""
    if not shutil.which("diffoscope"):
        return "diffoscope is not installed (Debian: diffoscope-minimal)"
    (config_a, layers_a), (config_b, layers_b) = _layers(a), _layers(b)
    pairs = [(la, lb) for la, lb, ia, ib in zip(layers_a, layers_b, config_a["rootfs"][
        "diff_ids"], config_b["rootfs"]["diff_ids"], strict=False) if ia != ib]
    if not pairs:
        return "every layer is the same"
    files = []
    for archive, layer, name in ((a, pairs[0][0], "a"), (b, pairs[0][1], "b")):
        with tarfile.open(archive) as tar, open(Path(where) / f"{name}.tar", "wb") as out:
            shutil.copyfileobj(tar.extractfile(layer), out)
        files.append(str(Path(where) / f"{name}.tar"))
    done = subprocess.run(["diffoscope", "--text", "-", "--max-text-report-size", "300000",
                           *files], capture_output=True, text=True)
    return done.stdout.strip() or done.stderr.strip()


def build(image, out, repo, mode="auto", wheelhouses=None):
    """The base and the image `image` built from the tree at repo into out; its record."""
    repo, out = Path(repo).resolve(), Path(out)
    spec = images.IMAGES[image]
    base_record = rootfs.build(spec.base, out / f"{spec.base}.tar", repo, mode=mode)
    locks = [repo / "envs" / f"{lock}.lock" for lock in spec.locks]
    if wheelhouses is None:
        wheelhouses = [out / "wheelhouse" / lock for lock in spec.locks]
        for lock, wheelhouse in zip(locks, wheelhouses, strict=True):
            images.download_wheelhouse(lock, wheelhouse)
    image_id, diff_ids, inputs = reproducible.build(
        out / f"{spec.base}.tar", locks, wheelhouses, repo, out / f"{image}.tar.gz", image,
        spec.base, work=out)
    return {"image_id": image_id, "diff_ids": diff_ids, "inputs_sha256": inputs,
            "archive": str(out / f"{image}.tar.gz"), "base": base_record}


def rebuild(image, record_path, repo=".", workdir=None, mode="auto"):
    """Rebuild the record's image from a fresh clone of its revision (other folder, umask 077,
    another time zone, a fresh base, no cache); record `reproduced`. True when the IDs match."""
    record = json.loads(Path(record_path).read_text())
    spec = images.IMAGES[image]
    wheelhouses = [str(Path(record_path).resolve().parent / "wheelhouse" / lock)
                   for lock in spec.locks]  # hash-checked against the clone's locks
    where = Path(tempfile.mkdtemp(prefix="mlpbench-rebuild-", dir=workdir))
    try:
        return _rebuild(image, record, record_path, repo, where, wheelhouses, mode)
    finally:
        shutil.rmtree(where, ignore_errors=True)


def _rebuild(image, record, record_path, repo, where, wheelhouses, mode):
    clone = where / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(Path(repo).resolve()),
                    str(clone)], check=True)
    if record.get("git_revision"):
        subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", record["git_revision"]],
                       check=True)
    argv = [sys.executable, "-m", "mlpbench.study.image_verify", "build", image,
            "--repo", str(clone), "--out", str(where / "out"), "--mode", mode,
            *[arg for w in wheelhouses for arg in ("--wheelhouse", w)]]
    env = {**os.environ, **REBUILD_ENV,  # the clone's builder, not this tree's
           "PYTHONPATH": os.pathsep.join([str(clone / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(argv, env=env, cwd=where, stdout=subprocess.PIPE, text=True,
                          preexec_fn=lambda: os.umask(REBUILD_UMASK), check=True)
    again = json.loads(done.stdout.strip().splitlines()[-1])
    same = again["image_id"] == record["image_id"]
    record["reproduced"] = {
        "ok": same, "rebuild_id": again["image_id"],
        "how": "fresh clone of git_revision in another folder, umask 077, "
               "TZ=Pacific/Kiritimati, LC_ALL=C, fresh mmdebstrap base, no cache",
        "base_check": again["base"]["list_check"],
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}
    print(f"{image}: built {record['image_id']}, rebuilt {again['image_id']}: "
          f"{'the same image' if same else 'DIFFERENT'}")
    if not same:
        print("\n".join(differences(record["archive"], again["archive"])))
        print(diffoscope(record["archive"], again["archive"], where))
    write_atomic(record, record_path)
    return same


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m mlpbench.study.image_verify", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="verb", required=True)
    check = sub.add_parser("check")
    check.add_argument("archive")
    check.add_argument("--expect", required=True)
    b = sub.add_parser("build")
    b.add_argument("image", choices=images.IMAGES)
    b.add_argument("--out", required=True)
    b.add_argument("--repo", default=".")
    b.add_argument("--mode", default="auto")
    b.add_argument("--wheelhouse", action="append", help="a lock's wheels (default: downloaded)")
    r = sub.add_parser("rebuild")
    r.add_argument("image", choices=images.IMAGES)
    r.add_argument("--record", required=True)
    r.add_argument("--repo", default=".")
    r.add_argument("--workdir", default=None)
    r.add_argument("--mode", default="auto")
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    a = p.parse_args(argv)
    if a.verb == "check":
        found, _, _ = docker_archive.read(a.archive)
        print(f"{a.archive}: every layer matches its digest; image ID {found}")
        return 0 if found == a.expect else 1
    if a.verb == "build":
        print(json.dumps(build(a.image, a.out, a.repo, a.mode, a.wheelhouse)))
        return 0
    if a.verb == "rebuild":
        return 0 if rebuild(a.image, a.record, a.repo, a.workdir, a.mode) else 1
    with tempfile.TemporaryDirectory() as where:
        said = differences(a.a, a.b)
        print("\n".join(said) or "the same image")
        if said:
            print(diffoscope(a.a, a.b, where))
    return 1 if said else 0


if __name__ == "__main__":
    sys.exit(main())
