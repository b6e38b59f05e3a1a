"""Where a timed benchmark's run time goes: one process per point, as in one of asv's rounds.

    python tools/cost.py timm_suite.Eager.time_step --by mode
    python tools/cost.py autograd_functional.Time.time_call --points resnet18 --by task
    python tools/cost.py timm_suite.Eager.time_step --points "'training'" --json cost.jsonl

Like asv's forkserver, this process (in the suites' process environment, ``_sampling``) imports
torch and the suites, then forks one process per point that the ``PTBENCH_*`` settings run
(``benchmarks.points``), one after another. Each does what asv does in a round: the benchmark
class's setup (building the model: "setup"), the point's warm-up (the untimed first call and the
calls that size the blocks: "warm-up", ``_sampling``), then its samples, block by block
("samples"). Of the samples' time, "retaken" is the calls made again because they grew the heap
(``_sampling.timed_call``). "total" is each process's wall time, from fork to exit, so "other"
(total less the parts) is the fork, setting the process up and exiting. The table gives the
seconds of every part, summed over the points, and its share of the total; ``--by PARAMETER``
adds a row per value of that parameter. asv's own work between processes (starting them, writing
results) is not in it: compare a round's time in a run's log.
"""

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import _sampling, points  # noqa: E402
from benchmarks._config import ConfigError, Settings  # noqa: E402

PARTS = ("setup", "warm-up", "samples", "retaken", "other")
HEADINGS = {"retaken": "of them retaken"}  # part of the samples' time


def benchmark_class(benchmark):
    """The class of ``benchmark`` ("module.Class.time_method"), imported."""
    module, cls, _ = benchmark.split(".")
    return getattr(importlib.import_module(f"benchmarks.{module}"), cls)


def measure(cls, point):
    """One process's seconds per part, measured in this process: setup, warm-up, samples, retaken."""
    bench = cls()
    start = time.perf_counter()
    bench.setup(*point)
    built = time.perf_counter()
    samples = bench.repeat[0]  # asv reads it after setup: the warm-up runs here
    warm = time.perf_counter()
    block = bench.run
    for _ in range(samples):
        block()
    done = time.perf_counter()
    return {
        "setup": built - start,
        "warm-up": warm - built,
        "samples": done - warm,
        "retaken": sum(_sampling.retaken),
        "sample count": samples,
        "retaken calls": len(_sampling.retaken),
    }


def in_a_fork(cls, point):
    """``measure`` in a forked process, with the process's wall time as "total"; an error's
    message as "error" (a point the suite refuses, for one)."""
    read, write = os.pipe()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: report on the pipe, exit without the parent's cleanup
        os.close(read)
        try:
            found = measure(cls, point)
        except Exception as e:
            found = {"error": f"{type(e).__name__}: {e}"}
        with os.fdopen(write, "w") as pipe:
            json.dump(found, pipe)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    _, status = os.waitpid(pid, 0)
    found = json.loads(text) if text else {"error": f"the process ended with status {status} before reporting"}
    found["total"] = time.perf_counter() - start
    if "error" not in found:
        found["other"] = found["total"] - sum(found[part] for part in PARTS[:3])
    return found


def table(rows, by):
    """Lines: each part's seconds summed over ``rows`` and its share of their total, per group."""
    groups = {"all": rows}
    if by:
        for row in rows:
            groups.setdefault(f"{by} {row['point'][by]}", []).append(row)
    header = f"{'points':<28} {'n':>4} {'total s':>9}" + "".join(f" {HEADINGS.get(part, part):>15}" for part in PARTS)
    lines = [header]
    for name, group in groups.items():
        total = sum(row["total"] for row in group)
        sums = [sum(row[part] for row in group) for part in PARTS]
        cells = "".join(f" {seconds:8.1f} {seconds / total:6.1%}" for seconds in sums)
        lines.append(f"{name:<28} {len(group):>4} {total:9.1f}{cells}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("benchmark", help="a time_ benchmark, e.g. timm_suite.Eager.time_step")
    parser.add_argument("--points", help="a regex on asv's point names (benchmark(params)): only those points")
    parser.add_argument("--by", help="a parameter to sum by besides the whole, e.g. mode or task")
    parser.add_argument("--json", help="append each point's record to this file, one JSON object a line")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    if args.benchmark not in points.BENCHMARKS or not points.times(args.benchmark):
        timed = ", ".join(name for name in points.BENCHMARKS if points.times(name))
        parser.error(f"{args.benchmark!r} is not a time_ benchmark; one of: {timed}")
    names = points.SUITES[points.BENCHMARKS[args.benchmark]].space.names
    if args.by and args.by not in names:
        parser.error(f"--by {args.by!r} is not a parameter of {args.benchmark}; one of: {', '.join(names)}")
    try:
        settings = Settings.from_env()
    except ConfigError as e:
        sys.exit(f"error: {e}")
    found = points.statuses(settings, pattern=args.points)
    chosen = [point for name, point, why in found if name == args.benchmark and why is None]
    if not chosen:
        sys.exit(f"error: no point of {args.benchmark} runs here ({settings.describe()}) and matches {args.points!r}")
    environ = _sampling.with_process_environment(os.environ)
    if environ != dict(os.environ):  # glibc reads its tunables when a process starts
        os.execve(sys.executable, [sys.executable, os.path.abspath(__file__), *argv], environ)
    cls = benchmark_class(args.benchmark)  # imports torch and the suite before the forks, as asv's server
    rows = []
    for i, point in enumerate(chosen, 1):
        name = points.asv_name(args.benchmark, point)
        found = in_a_fork(cls, tuple(point.values()))
        if "error" in found:
            print(f"[{i}/{len(chosen)}] {name}: not measured: {found['error']}", flush=True)
            continue
        print(
            f"[{i}/{len(chosen)}] {name}: {found['total']:.2f} s, setup {found['setup']:.2f}, warm-up "
            f"{found['warm-up']:.2f}, {found['sample count']} samples {found['samples']:.2f} "
            f"({found['retaken calls']} calls retaken, {found['retaken']:.2f})",
            flush=True,
        )
        rows.append({"point": point, **found})
        if args.json:
            with open(args.json, "a") as out:
                out.write(json.dumps(rows[-1]) + "\n")
    if not rows:
        sys.exit("error: no point could be measured (above)")
    print("\n".join(table(rows, args.by)))


if __name__ == "__main__":
    main()
