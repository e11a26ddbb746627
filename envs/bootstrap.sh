#!/usr/bin/env bash
# Create .venv with the locked host environment and mlpbench in it (idempotent).
# envs/host.lock pins every package with its hashes: pip installs exactly those files.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
lock=envs/host.lock
stamp=.venv/.mlpbench-lock.sha256
if ! sha256sum --status -c "$stamp" 2>/dev/null; then
  .venv/bin/python -m pip install --disable-pip-version-check -q --require-hashes --no-deps \
    -r "$lock"
  sha256sum "$lock" > "$stamp"
fi
.venv/bin/python -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
