"""The study's grid: the validated config, its cells, and the shuffled order of the timed runs.

The workflow (Snakefile) calls only this module to know what to run. A cell here is one timed
process: an implementation, dtype, batch size, thread count and repeat number. Everything else
a run needs (epochs, subset, seed, ...) is shared by the whole study and lives in Settings.
"""

import random
from dataclasses import dataclass
from pathlib import Path

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"
RUN_PATH = "results/runs/{device}/{impl}/{dtype}/b{batch}_t{threads}_r{repeat}.json"
DEVICES = ("cpu", "gpu")


class ConfigError(ValueError):
    """The study config is invalid; the message names the offending key."""


@dataclass(frozen=True)
class Cell:
    impl: str
    dtype: str
    batch: int
    threads: int
    repeat: int
    device: str = "cpu"

    @property
    def path(self):
        return RUN_PATH.format(**self.__dict__)


@dataclass(frozen=True)
class Settings:
    """What every run of the study shares."""

    epochs: int
    warmup_epochs: int
    subset: int
    seed: int
    runner: str
    timeout_s: int


def known_implementations():
    """Names in the implementation registry (imports NumPy only, never TensorFlow)."""
    from mlpbench.implementations import names

    return names()


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


def validate(config, schema_path=SCHEMA, implementations=None):
    """Raise ConfigError naming the first bad key; return the config unchanged otherwise."""
    import jsonschema
    import yaml

    schema = yaml.safe_load(Path(schema_path).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (list(e.absolute_path), e.path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise ConfigError(_message(best))
    known = known_implementations() if implementations is None else implementations
    for i, name in enumerate(config["implementations"]):
        if name not in known:
            raise ConfigError(f"config key implementations[{i}]: unknown implementation "
                              f"{name!r} (available: {', '.join(known)})")
    for i, batch in enumerate(config["batches"]):
        if batch > config["subset"]:
            raise ConfigError(f"config key batches[{i}]: batch {batch} is larger than "
                              f"subset ({config['subset']} training samples)")
    return config


def settings(config, runner=None):
    """What every run shares; runner: the resolved one (`auto` decided), default the config's."""
    return Settings(config["epochs"], config["warmup_epochs"], config["subset"],
                    config["seed"], runner or config["runner"], config["timeout_s"])


def settings_args(settings):
    """Settings as `python -m mlpbench.launch` options."""
    return " ".join(f"--{k.replace('_', '-')} {v}" for k, v in settings.__dict__.items())


def runs_on(impl, device):
    """Whether the grid has cells of impl on device: GPU cells only for TensorFlow's."""
    if device == "cpu":
        return True
    from mlpbench.implementations import REGISTRY

    return "tensorflow" in REGISTRY[impl].requires


def cells(config):
    """Every timed process of the study, in grid order (CPU cells first)."""
    return [Cell(impl, dtype, batch, threads, repeat, device)
            for device in config["devices"]
            for impl in config["implementations"] if runs_on(impl, device)
            for dtype in config["dtypes"]
            for batch in config["batches"]
            for threads in config["threads"]
            for repeat in range(1, config["repeats"] + 1)]


def run_order(config):
    """The cells in the order they are meant to run: a shuffle seeded by config order_seed.

    Shuffling keeps drift of the machine (heat, background load) from lining up with one
    implementation or batch size. Repeats of a cell are spread over the whole run.
    """
    order = cells(config)
    random.Random(config["order_seed"]).shuffle(order)
    return order


def priorities(config):
    """Snakemake priority per cell: the first to run gets the highest."""
    order = run_order(config)
    return {cell: len(order) - i for i, cell in enumerate(order)}
