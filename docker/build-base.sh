#!/usr/bin/env bash
# Build the Debian 12 (bookworm) base image from Debian's archive, for sites where no container
# registry answers: debootstrap --variant=minbase, then `docker import`.
#
#   docker/build-base.sh TAG [MANIFEST]
#
# The base holds Debian's python3 (3.11), python3-venv, ca-certificates and passwd (for useradd),
# nothing else.  MANIFEST (optional) receives the installed packages with their versions
# (dpkg-query), which is what identifies this base: an import is not bit-reproducible, since
# the archive moves on; the package list says exactly what went in.
# Needs root, debootstrap and a Docker daemon.
set -euo pipefail

tag=${1:?usage: build-base.sh TAG [MANIFEST]}
manifest=${2:-}
[[ -z "$manifest" ]] || manifest=$(realpath -m "$manifest")
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${DEBIAN_SUITE:-bookworm}

command -v debootstrap >/dev/null || { echo "build-base.sh: debootstrap not found (apt-get install debootstrap)" >&2; exit 1; }

root=$(mktemp -d /tmp/mlpbench-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT

debootstrap --variant=minbase \
    --include=python3,python3-venv,ca-certificates,passwd \
    "$suite" "$root" "$mirror"

# Trim what a container never needs: apt's downloaded lists and archives, docs, logs.
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
       "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
       "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/*
printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$suite" "$mirror" "$suite" \
    > "$root/etc/apt/sources.list"

if [[ -n "$manifest" ]]; then
    chroot "$root" dpkg-query -W -f '${Package}=${Version}\n' | LC_ALL=C sort > "$manifest"
fi

tar --numeric-owner --xattrs -C "$root" -c . |
    docker import \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["/bin/bash"]' \
        --message "mlpbench base: debootstrap --variant=minbase $suite from $mirror" \
        - "$tag"
