#!/bin/bash
# An image's test stage, run by the workflow in the loaded image (mlpbench.study.images.test_stage:
# no network, the calling user, MNIST mounted at /tmp/source/mnist.npz, TEST_IMPLS set): the stack
# imports, every requirement of every installed wheel is met (pip check; the image has no pip),
# the data verifies, and one tiny cell of each test implementation runs in it.
set -euo pipefail
mlpbench list
python - <<'PY'
from importlib.metadata import distributions
from packaging.requirements import Requirement
have = {d.metadata["Name"].lower().replace("_", "-"): d.version for d in distributions()}
unmet = []
for d in distributions():
    for text in d.requires or ():
        req = Requirement(text)
        if req.marker and not req.marker.evaluate({"extra": ""}):
            continue
        name = req.name.lower().replace("_", "-")
        if name not in have or not req.specifier.contains(have[name], prereleases=True):
            unmet.append(f"{d.metadata['Name']} needs {text}, has {have.get(name)}")
assert not unmet, unmet
print(f"requirements: {len(have)} distributions, every one met")
PY
mlpbench data --source /tmp/source/mnist.npz --out /tmp/data
for impl in $TEST_IMPLS; do
  mlpbench run --impl "$impl" --dtype float32 --batch 500 --threads 1 --epochs 1 \
    --warmup-epochs 0 --subset 2000 --seed 0 --data /tmp/data/mnist.npz --out "/tmp/r-$impl.json"
done
python - <<'PY'
import glob, json
r = [json.load(open(p)) for p in sorted(glob.glob("/tmp/r-*.json"))]
print([(x["impl"], x["status"], x["test_accuracy"], x["provenance"]["numpy"],
        x["provenance"]["tensorflow"], x["provenance"]["jax"], x["provenance"]["torch"]) for x in r])
assert r and all(x["status"] == "ok" and x["runner"] == "docker" for x in r)
PY
