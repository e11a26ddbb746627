"""`mlpbench bench-fast`: numpy-fast against keras-fit (and numpy-step2), side by side.

Three cells, float32 on full MNIST by default: (small batch, 1 thread), (small batch, 2
threads), (large batch, 1 thread). Each repeat runs every implementation in every cell, each run
its own `mlpbench run` process (fresh BLAS and TensorFlow state, the runner's thread limits and
peak probe), the implementations' order rotating from repeat to repeat, so that a slow spell of
the machine hits all of them. Ratios are medians over repeats of ratios within one repeat (the
two runs compared were seconds apart). The issue's targets are printed next to them; they are
benchmark figures, never asserted in tests.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

FAST, KERAS, STEP2 = "numpy-fast", "keras-fit", "numpy-step2"
IMPLS = (FAST, KERAS, STEP2)


def cells(small, large):
    return [(small, 1), (small, 2), (large, 1)]


def run_one(impl, batch, threads, opts, out_dir, tag):
    out = Path(out_dir) / f"{impl}_b{batch}_t{threads}_{tag}.json"
    argv = [sys.executable, "-m", "mlpbench", "run", "--impl", impl, "--dtype", opts["dtype"],
            "--batch", str(batch), "--threads", str(threads), "--epochs", str(opts["epochs"]),
            "--warmup-epochs", str(opts["warmup_epochs"]), "--subset", str(opts["subset"]),
            "--seed", str(opts["seed"]), "--data", str(opts["data"]), "--out", str(out)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=opts["timeout"])
    if done.returncode != 0:
        return {"status": "error", "reason": done.stderr.strip()[-500:], "impl": impl,
                "batch": batch, "threads": threads}
    return json.loads(out.read_text())


def run_all(opts, impls=IMPLS, out_dir=None, log=print):
    """Every (repeat, cell, impl) run, interleaved; records in run order."""
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = out_dir or tmp
        for rep in range(opts["repeats"]):
            for batch, threads in cells(opts["small"], opts["large"]):
                shift = rep % len(impls)
                for impl in impls[shift:] + impls[:shift]:
                    r = run_one(impl, batch, threads, opts, out_dir, f"r{rep}")
                    r["repeat"] = rep
                    records.append(r)
                    log(_line(r))
    return records


def _line(r):
    head = f"  repeat {r['repeat']}  {r['impl']:<12} batch={r['batch']:<6} threads={r['threads']}"
    if r.get("status") != "ok":
        return f"{head}  {r.get('status')}: {r.get('reason')}"
    return (f"{head}  median epoch {r['epoch_wall_s_median']:.4f} s  "
            f"{r['achieved_gflops']:.1f} GFLOP/s (peak {r['peak_gflops']:.1f}, "
            f"shapes {r['peak_gflops_shapes']:.1f})")


def _ok(records, impl, batch, threads):
    return {r["repeat"]: r for r in records if r.get("status") == "ok" and r["impl"] == impl
            and r["batch"] == batch and r["threads"] == threads}


def _paired(a, b, fn):
    """median over repeats of fn(a_rep, b_rep), for repeats where both ran."""
    values = [fn(a[k], b[k]) for k in sorted(set(a) & set(b))]
    return median(values) if values else None


def summarize(records, small, large):
    """Median epoch times per (impl, cell) and the four ratios the issue's targets name."""
    wall = lambda r: r["epoch_wall_s_median"]  # noqa: E731
    table = []
    for batch, threads in cells(small, large):
        for impl in IMPLS:
            runs = _ok(records, impl, batch, threads)
            if runs:
                table.append({
                    "impl": impl, "batch": batch, "threads": threads, "runs": len(runs),
                    "epoch_s": median(map(wall, runs.values())),
                    "achieved_gflops": median(r["achieved_gflops"] for r in runs.values()),
                    "peak_gflops": median(r["peak_gflops"] for r in runs.values()),
                    "fraction_of_peak": median(r["achieved_gflops"] / r["peak_gflops"]
                                               for r in runs.values()),
                })
    fast_s1 = _ok(records, FAST, small, 1)
    ratios = [
        (f"fraction of peak, numpy-fast, batch {small}, 1 thread", ">= 0.60", lambda v: v >= 0.60,
         median(r["achieved_gflops"] / r["peak_gflops"] for r in fast_s1.values())
         if fast_s1 else None),
        (f"speed-up over keras-fit, batch {small}, 1 thread", ">= 2.5", lambda v: v >= 2.5,
         _paired(fast_s1, _ok(records, KERAS, small, 1), lambda f, k: wall(k) / wall(f))),
        (f"numpy-fast 2 threads vs 1 thread, batch {small}", "> 1.0", lambda v: v > 1.0,
         _paired(fast_s1, _ok(records, FAST, small, 2), lambda one, two: wall(one) / wall(two))),
        (f"keras-fit time / numpy-fast time, batch {large}, 1 thread", ">= 1.0",
         lambda v: v >= 1.0,
         _paired(_ok(records, FAST, large, 1), _ok(records, KERAS, large, 1),
                 lambda f, k: wall(k) / wall(f))),
    ]
    return table, [{"ratio": name, "target": target, "value": value,
                    "met": None if value is None else bool(check(value))}
                   for name, target, check, value in ratios]


def report(table, ratios):
    lines = [f"{'impl':<12} {'batch':>6} {'threads':>7} {'runs':>4} {'epoch s':>8} "
             f"{'GFLOP/s':>8} {'peak':>6} {'of peak':>7}"]
    for t in table:
        lines.append(f"{t['impl']:<12} {t['batch']:>6} {t['threads']:>7} {t['runs']:>4} "
                     f"{t['epoch_s']:>8.4f} {t['achieved_gflops']:>8.1f} "
                     f"{t['peak_gflops']:>6.1f} {t['fraction_of_peak']:>7.2f}")
    lines.append("")
    for r in ratios:
        value = "n/a" if r["value"] is None else f"{r['value']:.2f}"
        verdict = {None: "not measured", True: "met", False: "MISSED"}[r["met"]]
        lines.append(f"{r['ratio']:<55} {value:>6}  target {r['target']:<8} {verdict}")
    return "\n".join(lines)


def main(opts, out=None):
    print(f"bench-fast: {opts['repeats']} repeats x {len(cells(opts['small'], opts['large']))} "
          f"cells x {len(IMPLS)} implementations, {opts['dtype']}, subset {opts['subset']}, "
          f"{opts['epochs']} timed epochs each", flush=True)
    records = run_all(opts, log=lambda line: print(line, flush=True))
    table, ratios = summarize(records, opts["small"], opts["large"])
    print()
    print(report(table, ratios))
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps({"options": {**opts, "data": str(opts["data"])},
                                         "table": table, "ratios": ratios,
                                         "records": records}, indent=1))
    return 0
