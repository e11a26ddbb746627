"""Which machine a run timed: a hardware fingerprint per record, and one hardware per analysis.

A fingerprint is "CPU model, N CPUs, BLAS kernel, GPUs" (from the record's provenance and the
launcher's `gpus`); the node's name is not part of it, so identical nodes of a cluster pool.
Timings from different hardware are never pooled into one cell and never compared as if they
came from the same machine: mark() keeps the hardware with the most runs for the statistics
(`hardware_main`) and the report's hardware page lists the others, with their runs and nodes.
"""

from collections import Counter

NO_GPU = "no GPU"


def blas_kernel(provenance):
    """The OpenBLAS kernel (threadpoolctl's architecture) NumPy used, else the first BLAS's."""
    blas = provenance.get("blas") or []
    chosen = next((b for b in blas if b.get("internal_api") == "openblas"), blas[0] if blas
                  else {})
    return chosen.get("architecture") or chosen.get("internal_api") or "unknown BLAS"


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
