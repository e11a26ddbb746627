"""Which machine a run timed: a hardware fingerprint per record, and one hardware per analysis.

A fingerprint is "CPU model, N CPUs, BLAS kernel, GPUs" (from the record's provenance and the
launcher's `gpus`); the node's name is not part of it, so identical nodes of a cluster pool.
Timings from different hardware are never pooled into one cell and never compared as if they
came from the same machine: mark() keeps the hardware with the most runs for the statistics
(`hardware_main`) and the report's hardware page lists the others, with their runs and nodes.
name() turns the main hardware into the short, stable name under which the published findings
file it (findings/<name>/), e.g. "intel-xeon-2cpu-avx512".
"""

import json
import re
from collections import Counter

NO_GPU = "no GPU"


def _blas(provenance):
    """threadpoolctl's entry for NumPy's BLAS: OpenBLAS's where there is one, else the first."""
    blas = provenance.get("blas") or []
    return next((b for b in blas if b.get("internal_api") == "openblas"), blas[0] if blas
                else {})


def blas_kernel(provenance):
    """The OpenBLAS kernel (threadpoolctl's architecture) NumPy used, else the first BLAS's."""
    chosen = _blas(provenance)
    return chosen.get("architecture") or chosen.get("internal_api") or "unknown BLAS"


def blas_name(provenance):
    """The BLAS library, its version and kernel, e.g. "openblas 0.3.31 (SkylakeX)"."""
    chosen = _blas(provenance)
    return f"{chosen.get('internal_api')} {chosen.get('version')} ({blas_kernel(provenance)})"


def fingerprint(record):
    """The record's hardware, e.g. "AMD EPYC, 2 CPUs, Haswell, no GPU"; None when the record
    has no provenance (a run that never started: skipped, or an error before measuring)."""
    prov = record.get("provenance")
    if not prov:
        return None
    gpus = record.get("gpus") or []
    gpu_text = ", ".join(f"{n} x {m}" for m, n in sorted(Counter(gpus).items())) or NO_GPU
    return (f"{prov.get('cpu_model') or 'unknown CPU'}, {prov.get('cpu_count')} CPUs, "
            f"{blas_kernel(prov)}, {gpu_text}")


def mark(records):
    """Set `hardware` and `hardware_main` on every record (in place) and return the main
    hardware: the fingerprint with the most records (ties: the first by name). A record
    without a fingerprint goes with the main hardware (it holds no timing)."""
    for record in records:
        record["hardware"] = fingerprint(record)
    counts = Counter(r["hardware"] for r in records if r["hardware"])
    main = min(counts, key=lambda h: (-counts[h], h)) if counts else None
    for record in records:
        record["hardware_main"] = record["hardware"] in (main, None)
    return main


# The widest vector extension a BLAS kernel can use, from provenance's cpu_flags
ISA = (("avx512f", "avx512"), ("avx2", "avx2"), ("avx", "avx"), ("sse4_2", "sse4"))
# Words of a CPU model that say nothing of the machine: trademarks, "Processor", core counts
# and clock rates (a VM's model name may or may not carry them)
CPU_NOISE = re.compile(r"\((r|tm)\)|\bprocessor\b|\bcpu\b|@.*$|\b\d+-core\b|\bwith\b.*$",
                       re.IGNORECASE)


def _words(text, most=None):
    return re.findall(r"[a-z0-9]+", CPU_NOISE.sub(" ", str(text).lower()))[:most]


def gpu_models(fingerprint_text):
    """{GPU model: count} from a fingerprint's GPU part ("2 x NVIDIA H200" or "no GPU")."""
    gpu_text = str(fingerprint_text).split(" CPUs, ", 1)[-1].partition(", ")[2]
    return {model: int(n) for n, model in re.findall(r"(\d+) x ([^,]+)", gpu_text)}


def _flags(cpu_flags):
    """provenance's cpu_flags: a list, its JSON text (runs.csv) or space-separated words."""
    if isinstance(cpu_flags, str):
        return json.loads(cpu_flags) if cpu_flags.startswith("[") else cpu_flags.split()
    return list(cpu_flags) if isinstance(cpu_flags, (list, tuple)) else []


def name(cpu_model, cpus, cpu_flags, gpus=None):
    """The hardware's short name: CPU vendor and model (at most 4 words), CPUs, vector ISA,
    and each GPU model's last word with its count, e.g. "amd-epyc-7b13-16cpu-avx2-h200"."""
    flags = _flags(cpu_flags)
    isa = next((label for flag, label in ISA if flag in flags), "generic")
    parts = [*(_words(cpu_model, 4) or ["cpu"]), f"{int(cpus)}cpu", isa]
    for model, n in sorted((gpus or {}).items()):
        parts.append(("" if n == 1 else f"{n}x") + (_words(model) or ["gpu"])[-1])
    return "-".join(parts)


def of_runs(runs):
    """The main hardware of a runs table (results/runs.csv): its name, fingerprint, CPU model,
    CPUs, flags, BLAS kernel and GPUs; None when no run has provenance."""
    if not {"hardware", "provenance_cpu_model"} <= set(runs.columns):
        return None  # no run started measuring (all skipped or crashed)
    main = runs[runs["hardware_main"].astype(bool)] if "hardware_main" in runs else runs
    main = main.dropna(subset=["hardware", "provenance_cpu_model"])
    if main.empty:
        return None
    row = main.iloc[0]
    gpus = gpu_models(row["hardware"])
    return {"name": name(row["provenance_cpu_model"], row["provenance_cpu_count"],
                         row.get("provenance_cpu_flags"), gpus),
            "fingerprint": row["hardware"], "cpu_model": row["provenance_cpu_model"],
            "cpus": int(row["provenance_cpu_count"]),
            "cpu_flags": row.get("provenance_cpu_flags"),
            "blas": blas_name({"blas": json.loads(row.get("provenance_blas") or "[]")}),
            "gpus": gpus}
