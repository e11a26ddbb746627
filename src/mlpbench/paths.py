"""Where a study writes: every path of the results tree, named once, relative to the directory
the workflow runs in. The workflow's rules and the package's stages take them from here.

A run record's path keeps {wildcards} for the fields not given (a rule's output pattern).
"""

RESULTS = "results"
RUNS = f"{RESULTS}/runs"  # the planned processes' records
EXTRA_RUNS = f"{RESULTS}/extra/runs"  # the adaptive pass's
RUN = "{root}/{device}/{impl}/{dtype}/b{batch}_t{threads}_r{repeat}.json"
PILOT = f"{RESULTS}/pilot/{{impl}}_r{{repeat}}.json"
RUNNER = f"{RESULTS}/runner.json"  # where the timed processes run, decided by a job
RUNNER_KEPT = f"{RESULTS}/runner.txt"  # runner auto's first choice, kept by later runs
DESIGN = f"{RESULTS}/design.json"
RUNTIME_DOWN = f"{RESULTS}/runtime_down.txt"  # the container runtime did not answer a run
WAITS = f"{RESULTS}/waits.log"  # every wait for quiet CPUs: the wait budget is counted here
MACHINE = f"{RESULTS}/machine.json"
CONFIG = f"{RESULTS}/config.yaml"  # the merged config, written when a study succeeds
OPENING = f"{RESULTS}/opening.rst"
IMAGE = f"{RESULTS}/images/{{image}}.json"  # a built image and how it was built
IMAGE_ARCHIVE = f"{RESULTS}/images/{{image}}.tar.gz"  # its docker-archive, gzipped
BASE = f"{RESULTS}/images/base/{{base}}.tar"  # mmdebstrap's base of the images
BASE_RECORD = f"{RESULTS}/images/base/{{base}}.json"  # its package list, checked
WHEELHOUSE = f"{RESULTS}/images/wheelhouse/{{lock}}"
FIGURE = f"{RESULTS}/figures/fig{{number}}_{{name}}.png"
PAGE = f"{RESULTS}/tables/{{name}}.html"
REPORT = f"{RESULTS}/report.html"  # the config's default


def table(name, suffix="csv"):
    """A saved table by name: results/<name>.csv."""
    return f"{RESULTS}/{name}.{suffix}"


class _Kept(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def run(root=RUNS, **fields):
    """A run record's path under root; a field not given stays the wildcard {field}."""
    return RUN.format_map(_Kept(root=root, **fields))
