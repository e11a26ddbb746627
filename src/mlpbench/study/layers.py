"""Normalised layer tars: the same files give the same bytes, whoever builds them, where and when.

An image's ID is the SHA-256 of its config, which names each layer by the SHA-256 of its
uncompressed tar (its diff_id). For two builds from the same inputs to give the same ID, every
byte of every layer must depend on the files alone. `write_layer()` writes a tar so:
- members sorted by path components as bytes (parents first, as GNU tar's --sort=name), with
  any missing parent directory emitted;
- headers built by hand: relative names without "./", no user or group names, integer mtimes,
  no device numbers, PAX records only where a name needs them (long or not ASCII);
- in our own layers (`from_tree`): owner 0:0, mode 0755 for directories and executables, 0644
  for other files, 0777 for symbolic links (the builder's umask is gone), mtime the
  SOURCE_DATE_EPOCH;
- in the base (`from_tar`, mmdebstrap's output): dpkg's owners and modes kept (setuid, /tmp's
  sticky bit, root:shadow 0640), mtimes clamped to the epoch, extended attributes dropped, the
  paths of BASE_DROP emptied (logs, caches, apt lists, bytecode: they differ between builds).
A hard link stays one only to an earlier member of the same layer; otherwise it is a file.
"""

import fnmatch
import hashlib
import os
import stat
import tarfile
from dataclasses import dataclass
from pathlib import Path

SOURCE_DATE_EPOCH = 1704067200  # 2024-01-01T00:00:00Z: a constant, so that no commit moves it
# Contents that differ between two builds of the same base; directories stay, emptied.
BASE_DROP = (
    "var/log/*", "var/cache/ldconfig/aux-cache", "var/lib/apt/lists/*",
    "var/cache/apt/*.bin", "var/cache/apt/archives/*.deb", "var/cache/debconf/*-old",
    "var/lib/dpkg/*-old", "etc/*-", "etc/resolv.conf", "etc/hostname", "tmp/*", "run/*",
    "root/.cache/*", "*/__pycache__/*", "*/__pycache__", "*.pyc",
)


@dataclass(frozen=True)
class Entry:
    """One member of a layer. kind: "dir", "file", "symlink" or "hardlink" (link: the target's
    path for links); data: a file's bytes, or the path they are read from."""

    path: str
    kind: str
    mode: int
    uid: int = 0
    gid: int = 0
    mtime: int = SOURCE_DATE_EPOCH
    data: bytes | str | None = None
    link: str = ""


def _key(path):
    return os.fsencode(path).split(b"/")


def dropped(path, drop):
    """Whether a member's contents go (a pattern matches it, and it is not kept as a folder)."""
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in drop)


def from_tree(root, prefix=""):
    """The entries of a folder as one of our layers (read with lstat, never followed), under
    `prefix` inside the image."""
    root, entries, seen = Path(root), [], {}
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs) + sorted(files):
            full = Path(folder) / name
            rel = os.path.join(prefix, os.path.relpath(full, root)).lstrip("/")
            info = full.lstat()
            if stat.S_ISDIR(info.st_mode):
                entries.append(Entry(rel, "dir", 0o755))
            elif stat.S_ISLNK(info.st_mode):
                entries.append(Entry(rel, "symlink", 0o777, link=os.readlink(full)))
            elif stat.S_ISREG(info.st_mode):
                mode = 0o755 if info.st_mode & 0o111 else 0o644
                key = (info.st_dev, info.st_ino)
                if info.st_nlink > 1 and key in seen:
                    entries.append(Entry(rel, "hardlink", mode, link=seen[key]))
                else:
                    seen[key] = rel
                    entries.append(Entry(rel, "file", mode, data=str(full)))
            else:
                raise ValueError(f"{full}: not a file, folder or link")
    return entries


def from_tar(raw, drop=BASE_DROP, epoch=SOURCE_DATE_EPOCH, said=None):
    """The entries of a tar (mmdebstrap's base) with dpkg's owners and modes, mtimes clamped
    to the epoch and `drop`'s contents left out; said collects what was dropped or changed."""
    said = [] if said is None else said
    entries = []
    with tarfile.open(raw) as tar:
        for member in tar:
            path = member.name.removeprefix("./").rstrip("/")
            if path in ("", "."):  # the root: the image's, not the layer's
                continue
            if member.isdir():
                kind = "dir"
            elif dropped(path, drop):
                said.append(f"dropped {path}")
                continue
            elif member.issym():
                kind = "symlink"
            elif member.islnk():
                kind = "hardlink"
            elif member.isreg():
                kind = "file"
            else:
                raise ValueError(f"{raw}: {path} is a device or fifo "
                                 "(build the base with mmdebstrap --skip=output/dev)")
            xattrs = sorted(k for k in member.pax_headers if k.startswith("SCHILY.xattr."))
            if xattrs:  # nothing in the image needs file capabilities or ACLs
                said.append(f"{path}: extended attributes {xattrs} dropped")
            data = tar.extractfile(member).read() if kind == "file" else None
            link = member.linkname.removeprefix("./") if kind in ("symlink", "hardlink") else ""
            entries.append(Entry(path, kind, member.mode & 0o7777, member.uid, member.gid,
                                 min(int(member.mtime), epoch), data, link))
    return entries


class _Hashing:
    """A write-only file that hashes what passes through it."""

    def __init__(self, f):
        self.f, self.sha256 = f, hashlib.sha256()

    def write(self, data):
        self.sha256.update(data)
        return self.f.write(data)


def _parents(entries):
    have = {e.path for e in entries}
    missing = {str(p) for e in entries for p in Path(e.path).parents
               if str(p) != "." and str(p) not in have}
    return [Entry(p, "dir", 0o755) for p in missing]


def write_layer(entries, out):
    """Write entries as a normalised tar at out; its diff_id, "sha256:<hex>"."""
    entries = list(entries)
    entries = sorted([*entries, *_parents(entries)], key=lambda e: _key(e.path))
    written = set()
    with open(out, "wb") as f:
        sink = _Hashing(f)
        with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT,
                          encoding="utf-8", errors="surrogateescape") as tar:
            for e in entries:
                kind = e.kind
                if kind == "hardlink" and e.link not in written:
                    kind = "file"  # its target is in another layer: a copy
                info = tarfile.TarInfo(e.path)
                info.mode, info.uid, info.gid, info.mtime = e.mode, e.uid, e.gid, int(e.mtime)
                info.uname = info.gname = ""
                data = None
                if kind == "dir":
                    info.type = tarfile.DIRTYPE
                elif kind == "symlink":
                    info.type, info.linkname = tarfile.SYMTYPE, e.link
                elif kind == "hardlink":
                    info.type, info.linkname = tarfile.LNKTYPE, e.link
                else:
                    data = e.data if isinstance(e.data, bytes) else Path(e.data).read_bytes()
                    info.size = len(data)
                tar.addfile(info, None if data is None else _Bytes(data))
                written.add(e.path)
    return "sha256:" + sink.sha256.hexdigest()


class _Bytes:
    def __init__(self, data):
        self.data, self.at = data, 0

    def read(self, n=-1):
        n = len(self.data) - self.at if n < 0 else n
        chunk = self.data[self.at:self.at + n]
        self.at += len(chunk)
        return chunk
