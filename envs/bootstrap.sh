#!/usr/bin/env bash
# Create .venv with the locked host environment and mlpbench in it (idempotent).
#   bash envs/bootstrap.sh [--with torch]
# envs/host.lock pins every package with its hashes: pip installs exactly those files.
# --with torch adds envs/torch.lock (PyTorch's CPU build, ~190 MB): the torch implementations.
set -euo pipefail
cd "$(dirname "$0")/.."
locks=(host)
while [[ $# -gt 0 ]]; do
  case $1 in
    --with) locks+=("${2:?--with needs an extra: torch}"); shift 2 ;;
    *) echo "usage: bash envs/bootstrap.sh [--with torch]" >&2; exit 2 ;;
  esac
done
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
for name in "${locks[@]}"; do
  lock=envs/$name.lock
  [[ -f $lock ]] || { echo "bootstrap.sh: no $lock" >&2; exit 2; }
  stamp=.venv/.mlpbench-$name-lock.sha256
  if ! sha256sum --status -c "$stamp" 2>/dev/null; then
    .venv/bin/python -m pip install --disable-pip-version-check -q --require-hashes --no-deps \
      -r "$lock"
    sha256sum "$lock" > "$stamp"
  fi
done
.venv/bin/python -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
