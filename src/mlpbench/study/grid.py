"""The study's grid: the validated config, its timed processes, and their shuffled order.

A cell is one point of the grid: (device, impl, dtype, batch, threads). A run is one cell
measured in one process. The study starts one process per (device, impl, threads) and repeat,
and that process runs every (dtype, batch) cell of the config in a shuffled order, so that a
start-up (seconds for TensorFlow) is paid once per process, not once per cell; the process is
still the unit that the statistics resample. How many processes and epochs each cell gets is
the design's (mlpbench.study.design).
"""

import math
import os
import random
import shlex
from dataclasses import dataclass
from pathlib import Path

from mlpbench import paths
from mlpbench.measure import DEVICES, DTYPES

ALL_THREADS = "all"  # a thread count meaning every CPU this machine lets the study use


class ConfigError(ValueError):
    """The study config is invalid; the message names the offending key."""


@dataclass(frozen=True)
class Process:
    """One timed process of the study: every (dtype, batch) of impl at `threads` on `device`."""

    impl: str
    threads: int
    repeat: int
    device: str = "cpu"

    def run_path(self, dtype, batch, root=paths.RUNS):
        return paths.run(root, dtype=dtype, batch=batch, **self.__dict__)

    def run_paths(self, config, root=paths.RUNS):
        return [self.run_path(d, b, root) for d, b in process_cells(config)]


def process_cells(config):
    """The (dtype, batch) cells every process runs: dtypes outer, batches inner."""
    return [(dtype, batch) for dtype in config["dtypes"] for batch in config["batches"]]


@dataclass(frozen=True)
class Settings:
    """What every run of the study shares."""

    warmup_epochs: int
    subset: int
    seed: int
    runner: str
    timeout_s: int
    attempts: int
    disturbed_above: float
    wait_budget_s: float = 0.0  # the whole study's, for quiet CPUs (mlpbench.study.placement)
    waits: str | None = None  # the study's wait ledger, where that budget is counted
    busy_epochs: int = 1  # timed epochs per cell of a process whose CPUs stayed busy
    repo: str | None = None  # the tree the study runs in: its git revision goes in each record
    fault_wait_s: float = 300.0  # for the runtime to answer again after it failed a run
    fault_retries: int = 2  # per process, of attempts the machinery failed (study.faults)
    runtime_down: str | None = None  # written when the runtime did not answer within that wait


def known_implementations():
    """Names in the implementation registry (imports NumPy only, never TensorFlow)."""
    from mlpbench.measure.implementations import names

    return names()


def machine_cpus():
    return len(os.sched_getaffinity(0))


def _key(path):
    """A JSON path like ('batches', 0) as the key a user writes: batches[0]."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _message(error):
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        where = _key(error.absolute_path)
        prefix = "" if where == "(top level)" else f"{where}."
        return (f"unknown config key {prefix}{extra[0]!r} "
                f"(allowed: {', '.join(allowed)})")
    return f"config key {_key(error.absolute_path)}: {error.message}"


def _number(value):
    """A string that spells a number or a YAML boolean, as that number (int or float) or
    bool; anything else as is."""
    if isinstance(value, list):
        return [_number(v) for v in value]
    if isinstance(value, dict):
        return {k: _number(v) for k, v in value.items()}
    if value in ("true", "false"):
        return value == "true"
    if isinstance(value, str):
        for kind in (int, float):
            try:
                return kind(value)
            except ValueError:
                pass
    return value


def coerce(config):
    """Snakemake hands list items and nested values given with --config (batches=[500,1000],
    'interference={threshold: 0.2, attempts: 2}') over as strings: turn those that spell
    numbers into numbers, and true/false (redo_errors=true) into booleans, so that the schema
    judges the values."""
    for key, value in config.items():
        if isinstance(value, list | dict) or value in ("true", "false"):
            config[key] = _number(value)
    return config


def validate(config, schema_path, implementations=None):
    """Raise ConfigError naming the first bad key; return the config (list items coerced).

    schema_path: workflow/schemas/config.schema.yaml of the tree the workflow runs in."""
    import jsonschema
    import yaml

    config = coerce(config)
    schema = yaml.safe_load(Path(schema_path).read_text())
    for key, values in (("dtypes", DTYPES), ("devices", DEVICES)):  # their one home: measure
        schema["properties"][key]["items"]["enum"] = list(values)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (list(e.absolute_path), e.path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise ConfigError(_message(best))
    known = known_implementations() if implementations is None else implementations
    for key in ("implementations", "when_installed"):
        for i, name in enumerate(config.get(key, [])):
            if name not in known:
                raise ConfigError(f"config key {key}[{i}]: unknown implementation "
                                  f"{name!r} (available: {', '.join(known)})")
    for i, batch in enumerate(config["batches"]):
        if batch > config["subset"]:
            raise ConfigError(f"config key batches[{i}]: batch {batch} is larger than "
                              f"subset ({config['subset']} training samples)")
    return config


def add_installed(config):
    """Append to config's implementations those of `when_installed` whose framework this host
    has; return {name: reason} for the ones left out."""
    from mlpbench.measure.implementations import REGISTRY

    left_out = {}
    for name in config.get("when_installed", []):
        reason = REGISTRY[name]().not_installed()
        if reason:
            left_out[name] = reason
        elif name not in config["implementations"]:
            config["implementations"].append(name)
    return left_out


def thread_counts(config, cpus=None):
    """The config's thread counts, `all` as this machine's CPU count, without duplicates."""
    cpus = machine_cpus() if cpus is None else cpus
    counts = [cpus if t == ALL_THREADS else t for t in config["threads"]]
    return list(dict.fromkeys(counts))


def settings(config, runner=None, repo=None):
    """What every run shares; runner: the resolved one (`auto` decided), default the config's;
    repo: the tree the workflow runs in."""
    return Settings(config["warmup_epochs"], config["subset"], config["seed"],
                    runner or config["runner"], config["timeout_s"],
                    config["interference"]["attempts"], config["interference"]["threshold"],
                    config["interference"]["wait_budget_s"], paths.WAITS,
                    config["interference"]["busy_epochs"], repo,
                    config["runner_faults"]["wait_s"], config["runner_faults"]["retries"],
                    paths.RUNTIME_DOWN)


def job_runtime_min(config, processes=1):
    """The minutes a job that times `processes` processes may take within its rules (its time
    limit on a cluster): per process, interference.attempts attempts of at most timeout_s, each
    after a back-off, and runner_faults.retries retries after as long a wait for the runtime;
    the study's wait budget for quiet CPUs once."""
    from mlpbench.study.placement import BACKOFF_S

    attempts, faults = config["interference"]["attempts"], config["runner_faults"]
    seconds = processes * (attempts * (config["timeout_s"] + BACKOFF_S)
                           + faults["retries"] * (config["timeout_s"] + faults["wait_s"]))
    seconds += config["interference"]["wait_budget_s"]
    return max(5, math.ceil(seconds / 60))


def adapt_processes(config):
    """The most processes the adaptive pass can start: whole processes of max_extra_runs."""
    return config["max_extra_runs"] // len(process_cells(config))


def settings_args(settings):
    """Settings as `python -m mlpbench.study.launch` options."""
    return " ".join(f"--{k.replace('_', '-')} {shlex.quote(str(v))}"
                    for k, v in settings.__dict__.items() if v is not None)


def runs_on(impl, device):
    """Whether the grid has cells of impl on device (the implementation's `devices`)."""
    from mlpbench.measure.implementations import REGISTRY

    return device in REGISTRY[impl].devices


def processes(config, repeats, cpus=None):
    """Every timed process of the study, in grid order (CPU first)."""
    return [Process(impl, threads, repeat, device)
            for device in config["devices"]
            for impl in config["implementations"] if runs_on(impl, device)
            for threads in thread_counts(config, cpus)
            for repeat in range(1, repeats + 1)]


def run_order(config, repeats, cpus=None):
    """The processes in the order they are meant to run: a shuffle seeded by order_seed.

    Shuffling keeps drift of the machine (heat, background load) from lining up with one
    implementation or thread count. Repeats of a process are spread over the whole run.
    """
    order = processes(config, repeats, cpus)
    random.Random(config["order_seed"]).shuffle(order)
    return order


def cell_order_seed(config, process):
    """The seed of the order of the cells inside one process (differs between processes)."""
    return random.Random(f"{config['order_seed']}/{process}").randrange(2**31)
