"""Where a point's timings vary: within a process, or between processes; and what removes it.

    python tools/spread.py "time_call('resnet18', 'vjp', 'autograd.functional', 'small', 'cpu')"
    python tools/spread.py "time_step('levit_128', 'inference', 'fp32', 'contiguous', 'small', 'cpu')" \\
        --processes 8 --samples 15 --settings default,threads,pinned,allocator,isolated

Like asv's forkserver, this process imports torch and the suites, then forks one process per
measurement; each applies the process settings under test, builds the point, makes three untimed
calls and times ``--samples`` calls. Settings (``benchmarks._sampling``):

    default    torch's defaults: a thread per core, unpinned, glibc's dynamic mmap threshold
    threads    one intra-op and one inter-op thread
    pinned     one thread, pinned to the last core
    allocator  torch's threads, glibc's mmap threshold fixed and no trimming
    isolated   all of them: what the suites run

For each setting the processes run interleaved with the other settings' (so that the machine's
drift is shared), and the table gives the median of each process, their spread (largest over
smallest median) and the typical spread inside a process (interquartile range over median).
"""

import argparse
import ast
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402,F401  (imported before forking, as asv's server does)

from benchmarks import _sampling  # noqa: E402

SETTINGS = {
    "default": (),
    "threads": (_sampling.single_thread,),
    "pinned": (_sampling.single_thread, _sampling.pin_to_one_core),
    "allocator": (_sampling.fixed_allocator,),
    "isolated": (_sampling.isolate,),
}


def runner(name):
    """The point's zero-argument call, from an asv name ``time_call('resnet18', ...)``."""
    method, args = re.fullmatch(r"(\w+)\((.*)\)", name.split(".")[-1]).groups()
    point = ast.literal_eval(f"({args},)")
    if method == "time_call":
        from benchmarks._tasks import prepared

        return prepared.call(*point)
    from benchmarks import registry
    from benchmarks._tasks import timm_prepared

    return timm_prepared.step(registry.TIMM_KEYS[point[0]], *point[1:])


def measure(name, setting, samples):
    for apply in SETTINGS[setting]:
        apply()
    run = runner(name)
    for _ in range(3):
        run()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def in_child(name, setting, samples):
    """``measure`` in a fork of this process; its samples."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.write(write, json.dumps(measure(name, setting, samples)).encode())
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 1 << 16):
        data += chunk
    os.waitpid(pid, 0)
    return json.loads(data)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("point", help="asv's name of the point: time_call(...) or time_step(...)")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--settings", default="default,isolated", help=f"comma list of: {', '.join(SETTINGS)}")
    args = parser.parse_args(argv)
    chosen = args.settings.split(",")
    unknown = [s for s in chosen if s not in SETTINGS]
    if unknown:
        sys.exit(f"error: unknown setting {', '.join(unknown)}; known: {', '.join(SETTINGS)}")
    medians, iqrs = {s: [] for s in chosen}, {s: [] for s in chosen}
    for i in range(args.processes):
        for setting in chosen:
            samples = in_child(args.point, setting, args.samples)
            q = statistics.quantiles(samples, n=4)
            medians[setting].append(statistics.median(samples))
            iqrs[setting].append((q[2] - q[0]) / statistics.median(samples))
        print(f"process {i + 1} of {args.processes} done for each setting", file=sys.stderr, flush=True)
    print(f"{args.point}: {args.processes} processes per setting, {args.samples} samples each")
    print("| setting | medians of the processes (ms) | largest / smallest | median IQR / median |")
    print("|---|---|---|---|")
    for setting in chosen:
        m = medians[setting]
        shown = f"{min(m) * 1e3:.2f} to {max(m) * 1e3:.2f}"
        print(f"| {setting} | {shown} | {max(m) / min(m):.3f} | {statistics.median(iqrs[setting]):.1%} |")


if __name__ == "__main__":
    main()
