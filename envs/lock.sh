#!/usr/bin/env bash
# Regenerate the hashed lock files envs/{host,cpu,cuda,torch}.lock from envs/*.in.
# Run on Linux x86_64 with Python 3.11 (the lock's markers are resolved for that platform):
#   python3.11 -m venv /tmp/piptools && /tmp/piptools/bin/pip install pip-tools
#   PIPTOOLS_COMPILE=/tmp/piptools/bin/pip-compile envs/lock.sh [host|cpu|cuda|torch ...]
# LOCK_FIND_LINKS=DIR adds a folder of wheels, for a site where an index in an .in file (torch.in
# names PyTorch's) is out of reach: the hashes pin the same files wherever they come from.
# The image locks are constrained by host.lock, so the container runs the same versions of
# everything the host's native runs use.  Every line carries --hash=sha256:.
set -euo pipefail
cd "$(dirname "$0")"
pip_compile=${PIPTOOLS_COMPILE:-pip-compile}
index=${PIP_INDEX_URL:-https://pypi.org/simple}
# Ignore local pip configuration (extra indexes, find-links, constraints): PyPI only.
export PIP_CONFIG_FILE=/dev/null
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL PIP_CONSTRAINT
export CUSTOM_COMPILE_COMMAND="envs/lock.sh"

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(host cpu cuda torch)
links=()
[[ -z ${LOCK_FIND_LINKS:-} ]] || links=(--find-links "$LOCK_FIND_LINKS")
for name in "${targets[@]}"; do
    extra=()
    [[ $name == host ]] || extra=(--constraint host.lock)
    # torch.lock keeps the index lines: its file is not on PyPI
    [[ $name == torch ]] || extra+=(--no-emit-index-url)
    "$pip_compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
        --resolver=backtracking --index-url "$index" --no-emit-find-links \
        "${extra[@]}" "${links[@]}" --output-file "$name.lock" "$name.in"
done
