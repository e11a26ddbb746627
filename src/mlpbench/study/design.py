"""How many processes and timed epochs the study gives each cell, chosen from a pilot.

Kalibera and Jones, "Rigorous benchmarking in reasonable time" (ISMM 2013): the variance of a
cell's estimate has a part between processes (S2, the process's own state: memory layout,
frequency, what the allocator did) and a part between epochs within a process (S1). An epoch
costs c1 seconds; one more process costs c2 (its start-up share and the cell's warm-up, probe
and evaluation). For the narrowest interval per second spent, time

    n1 = sqrt(c2 / c1 * S1^2 / S2^2)

epochs per process, and spend the rest of the budget on processes. The pilot runs, for each
implementation, a few processes of one cell (float32, the middle batch size, the fewest
threads); variances are of log epoch times, so they are relative and carry over to the other
cells, and they are pooled over the implementations: a few processes each cannot tell one
implementation's between-process variance from another's (it is mostly the machine's: memory
layout, frequency), so each gets its n1 from its own costs and the pooled variances. The
pilot's epoch time stands for every cell of the implementation when the budget is shared out:
the estimate is rough, the measured duration is reported.
"""

import math

import numpy as np

from mlpbench.study import grid

CELL_FIXED_S = 0.4  # per cell and process, besides its warm-up epochs: probe, set-up, prime,
# evaluation
MIN_BETWEEN = 1e-6  # S2^2 floor: a between-process variance the pilot cannot tell from 0


def pilot_cell(config, threads):
    """(dtype, batch, threads) of the pilot's cell: float32, the middle batch, fewest threads."""
    batches = sorted(config["batches"])
    dtype = "float32" if "float32" in config["dtypes"] else config["dtypes"][0]
    return dtype, batches[len(batches) // 2], min(threads)


def warmup_epochs(impl, config):
    """Whole epochs a cell of impl trains untimed: the config's, and Keras's own warm-up epoch
    (its fit()'s first, undone: KerasImplementation.fit_warmup_epochs)."""
    from mlpbench.measure.implementations import REGISTRY

    return config["warmup_epochs"] + REGISTRY[impl].fit_warmup_epochs


def components(records, warmup_epochs):
    """Variance components and costs of one implementation from its pilot records (ok runs).

    Returns {c1, start_s, s1, s2, n_processes} (s1, s2: standard deviations of log time) or
    None with fewer than two processes.
    """
    runs = [r for r in records if r.get("status") == "ok" and r.get("epoch_wall_s")]
    if len(runs) < 2:
        return None
    logs = [np.log(r["epoch_wall_s"]) for r in runs]
    n1 = np.mean([len(x) for x in logs])
    within = sum(((x - x.mean()) ** 2).sum() for x in logs) / sum(len(x) - 1 for x in logs)
    between = max(np.var([x.mean() for x in logs], ddof=1) - within / n1, MIN_BETWEEN)
    c1 = float(np.median([e for r in runs for e in r["epoch_wall_s"]]))
    overhead = np.median([r["process_wall_s"] - sum(r["epoch_wall_s"]) for r in runs])
    start = max(0.0, float(overhead) - warmup_epochs * c1 - CELL_FIXED_S)
    return {"c1": c1, "start_s": start, "s1": float(math.sqrt(within)),
            "s2": float(math.sqrt(between)), "n_processes": len(runs),
            "n_epochs": int(sum(len(x) for x in logs))}


def pooled(comps):
    """{s1, s2} pooled over implementations, each weighted by its degrees of freedom."""
    comps = [c for c in comps if c is not None]
    if not comps:
        return None
    dof1 = [c["n_epochs"] - c["n_processes"] for c in comps]
    dof2 = [c["n_processes"] - 1 for c in comps]
    s1 = math.sqrt(sum(d * c["s1"] ** 2 for d, c in zip(dof1, comps, strict=True)) / sum(dof1))
    s2 = math.sqrt(sum(d * c["s2"] ** 2 for d, c in zip(dof2, comps, strict=True)) / sum(dof2))
    return {"s1": s1, "s2": s2}


def optimal_epochs(comp, cells_per_process, warmup_epochs):
    """Kalibera and Jones's n1 for one implementation, unbounded."""
    c2 = comp["start_s"] / cells_per_process + warmup_epochs * comp["c1"] + CELL_FIXED_S
    return math.sqrt(c2 / comp["c1"] * comp["s1"] ** 2 / comp["s2"] ** 2)


def epochs_per_process(comp, cells_per_process, warmup_epochs, lo, hi):
    """Kalibera and Jones's n1 within [lo, hi]: lo keeps the timed epochs a fair share of a
    process, whose cells each cost a warm-up epoch, the probe and an evaluation too."""
    return int(min(hi, max(lo, round(optimal_epochs(comp, cells_per_process, warmup_epochs)))))


def process_cost(comp, epochs, cells_per_process, warmup_epochs):
    per_cell = (warmup_epochs + epochs) * comp["c1"] + CELL_FIXED_S
    return comp["start_s"] + cells_per_process * per_cell


def plan(pilot, config, processes_per_repeat):
    """The design (design.json): `repeats`, the processes per cell (the grid is run that many
    times over), and the timed epochs per implementation.

    pilot: {impl: [pilot records]}; processes_per_repeat: {impl: processes in one repeat of
    the grid (thread counts x devices)}.
    """
    p = config["pilot"]
    warm = {impl: warmup_epochs(impl, config) for impl in config["implementations"]}
    cells = len(grid.process_cells(config))
    comps = {impl: components(pilot.get(impl, []), warm[impl])
             for impl in config["implementations"]}
    spread, epochs, notes = pooled(comps.values()), {}, []
    for impl, comp in comps.items():
        if comp is None:
            epochs[impl] = p["max_epochs"]
            notes.append(f"{impl}: the pilot has fewer than two ok runs; "
                         f"{p['max_epochs']} epochs")
            continue
        comp = {**comp, **spread}  # its costs, the pooled variances
        comps[impl]["optimal_epochs"] = optimal_epochs(comp, cells, warm[impl])
        epochs[impl] = epochs_per_process(comp, cells, warm[impl], p["min_epochs"],
                                          p["max_epochs"])
    repeat_s = sum(processes_per_repeat[i] * process_cost(c, epochs[i], cells, warm[i])
                   for i, c in comps.items() if c is not None)
    fits = int(p["budget_s"] // repeat_s) if repeat_s else p["max_processes"]
    processes = min(p["max_processes"], max(p["min_processes"], fits))
    if fits < p["min_processes"]:
        notes.append(f"the budget of {p['budget_s']} s affords {fits} processes per cell; "
                     f"{processes} run (min_processes)")
    return {"mode": "pilot", "repeats": processes, "epochs": epochs, "components": comps,
            "pooled": spread,
            "budget_s": p["budget_s"], "estimated_s": round(processes * repeat_s, 1),
            "notes": notes}


def fixed(config):
    """The design when the config fixes it (design: fixed): repeats x epochs for every cell."""
    return {"mode": "fixed", "repeats": config["repeats"],
            "epochs": {impl: config["epochs"] for impl in config["implementations"]},
            "components": {}, "budget_s": None, "estimated_s": None, "notes": []}
