"""Where a point's timings vary: within a process, or between processes; and what removes it.

    python tools/spread.py "time_call('resnet18', 'vjp', 'autograd.functional', 'small', 'cpu')"
    python tools/spread.py "time_step('levit_128', 'inference', 'fp32', 'contiguous', 'small', 'cpu')" \\
        --processes 8 --samples 15 --settings default,threads,pinned,allocator,isolated
    python tools/spread.py "time_call('wav2letter', 'vjp', 'torch.func', 'small', 'cpu')" --servers 6 --processes 3
    python tools/spread.py "time_call('fcn_resnet', 'vhp', 'torch.func', 'small', 'cpu')" --trace \\
        --settings mmap32,isolated --processes 3 --samples 12

Like asv's forkserver, a server process imports torch and the suites, then forks one process per
measurement; each applies the process settings under test, builds the point, makes three untimed
calls and times ``--samples`` calls. With ``--servers N`` the measurement is repeated in N
servers, each a new interpreter (so a new address-space layout), and the table also gives how
far the servers' medians lie apart: what asv's rounds within one server cannot average out.
Each server runs with the suites' process environment (``_sampling.PROCESS_ENVIRONMENT``: the
heap on huge pages); ``--heap small`` leaves glibc's 4 KiB pages, to compare the two.
Settings (``benchmarks._sampling``):

    default    torch's defaults: a thread per core, unpinned, glibc's dynamic mmap threshold
    threads    one intra-op and one inter-op thread
    pinned     one thread, pinned to the last core
    allocator  torch's threads, glibc's heap for every buffer (no mmap) and no trimming
    mmap32     one thread, pinned, buffers above 32 MiB mapped on every call (version 3's allocator)
    isolated   all of them: what the suites run

For each setting the processes run interleaved with the other settings' (so that the machine's
drift is shared), and the table gives the median of each process, their spread (largest over
smallest median) and the typical spread inside a process (interquartile range over median).

``--trace`` prints every call of each process instead, from the first: milliseconds, the page
faults the process took during the call, and the huge pages the kernel faulted in meanwhile
(``thp_fault_alloc`` of /proc/vmstat, counted machine-wide: run it on a quiet machine).
"""

import argparse
import ast
import ctypes
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402,F401  (imported before forking, as asv's server does)

from benchmarks import _sampling  # noqa: E402


def mmap_above_32mib():
    """Version 3's allocator: glibc's mmap threshold fixed at its maximum, so that buffers above
    32 MiB are mapped when allocated and unmapped when freed, on every call."""
    _sampling.fixed_allocator()
    libc = ctypes.CDLL("libc.so.6")
    libc.mallopt(-4, 65536)  # M_MMAP_MAX: glibc's default
    libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD


SETTINGS = {
    "default": (),
    "threads": (_sampling.single_thread,),
    "pinned": (_sampling.single_thread, _sampling.pin_to_one_core),
    "allocator": (_sampling.fixed_allocator,),
    "mmap32": (_sampling.single_thread, _sampling.pin_to_one_core, mmap_above_32mib),
    "isolated": (_sampling.isolate,),
}


def runner(name):
    """The point's zero-argument call, from an asv name ``time_call('resnet18', ...)``."""
    method, args = re.search(r"(\w+)\((.*)\)$", name).groups()
    point = ast.literal_eval(f"({args},)")
    if method == "time_call":
        from benchmarks._tasks import prepared

        return prepared.call(*point)
    from benchmarks import registry
    from benchmarks._tasks import timm_prepared

    return timm_prepared.step(registry.TIMM_KEYS[point[0]], *point[1:])


def huge_pages_faulted():
    """Huge pages the kernel has faulted in since boot, machine-wide."""
    with open("/proc/vmstat") as f:
        return next((int(line.split()[1]) for line in f if line.startswith("thp_fault_alloc ")), 0)


def measure(name, setting, samples, trace=False):
    """``samples`` call times after three untimed calls; with ``trace``, every call from the first
    as (seconds, page faults, huge pages faulted in)."""
    for apply in SETTINGS[setting]:
        apply()
    run = runner(name)
    if trace:
        calls = []
        for _ in range(samples):
            faults, huge = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, huge_pages_faulted()
            start = time.perf_counter()
            run()
            seconds = time.perf_counter() - start
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
            calls.append((seconds, faults, huge_pages_faulted() - huge))
        return calls
    for _ in range(3):
        run()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def in_child(name, setting, samples, trace=False):
    """``measure`` in a fork of this process; its samples."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            answer = measure(name, setting, samples, trace)
        except Exception as e:  # reported by the parent
            answer = f"{type(e).__name__}: {e}"
        os.write(write, json.dumps(answer).encode())
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 1 << 16):
        data += chunk
    os.waitpid(pid, 0)
    answer = json.loads(data)
    if isinstance(answer, str):
        sys.exit(f"error: {name} under {setting}: {answer}")
    return answer


def serve(point, chosen, processes, samples):
    """{setting: [(median, IQR / median) per process]}, the processes interleaved across settings."""
    found = {s: [] for s in chosen}
    for i in range(processes):
        for setting in chosen:
            times = in_child(point, setting, samples)
            q = statistics.quantiles(times, n=4)
            found[setting].append((statistics.median(times), (q[2] - q[0]) / statistics.median(times)))
        print(f"process {i + 1} of {processes} done for each setting", file=sys.stderr, flush=True)
    return found


def traces(point, chosen, processes, calls):
    """{setting: [each process's calls from the first]}, the processes interleaved across settings."""
    found = {s: [] for s in chosen}
    for _ in range(processes):
        for setting in chosen:
            found[setting].append(in_child(point, setting, calls, trace=True))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("point", help="asv's name of the point: time_call(...) or time_step(...)")
    parser.add_argument("--processes", type=int, default=8, help="processes per setting (per server)")
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--settings", default="default,isolated", help=f"comma list of: {', '.join(SETTINGS)}")
    parser.add_argument("--servers", type=int, default=1, help="servers (new interpreters) to repeat it in")
    parser.add_argument(
        "--heap", choices=("huge", "small"), default="huge", help="the suites' huge-page heap (default) or glibc's"
    )
    parser.add_argument("--trace", action="store_true", help="every call of each process, with its page faults")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # a server's answer
    args = parser.parse_args(argv)
    chosen = args.settings.split(",")
    unknown = [s for s in chosen if s not in SETTINGS]
    if unknown:
        sys.exit(f"error: unknown setting {', '.join(unknown)}; known: {', '.join(SETTINGS)}")
    if args.json:
        measured = (traces if args.trace else serve)(args.point, chosen, args.processes, args.samples)
        print(json.dumps(measured))
        return
    # Each server is a new interpreter, started with the heap the suites' processes get or without it.
    environ = {k: v for k, v in os.environ.items() if k not in _sampling.PROCESS_ENVIRONMENT}
    environ = _sampling.with_process_environment(environ) if args.heap == "huge" else environ
    command = [sys.executable, __file__, args.point, "--json", f"--processes={args.processes}"]
    command += [f"--samples={args.samples}", f"--settings={args.settings}"] + ["--trace"] * args.trace
    found = []
    for i in range(args.servers):
        server = subprocess.run(command, check=True, capture_output=True, text=True, env=environ)
        found.append(json.loads(server.stdout))
        print(f"server {i + 1} of {args.servers} done", file=sys.stderr, flush=True)
    print(f"{args.point}: {args.servers} server(s) x {args.processes} processes x {args.samples} samples per setting")
    print(f"heap pages: {'huge (as the suites run)' if args.heap == 'huge' else 'glibc default (4 KiB)'}")
    if args.trace:
        print("each call from the first: ms / page faults / huge pages faulted in")
        for server in found:
            for setting in chosen:
                for calls in server[setting]:
                    print(f"{setting:>9}: " + "  ".join(f"{s * 1e3:.0f}/{f}/{h}" for s, f, h in calls))
        return
    print("| setting | process medians (ms) | largest / smallest | median IQR / median | server medians apart |")
    print("|---|---|---|---|---|")
    for setting in chosen:
        m = [median for server in found for median, _ in server[setting]]
        iqr = statistics.median(spread for server in found for _, spread in server[setting])
        per_server = [statistics.median(median for median, _ in server[setting]) for server in found]
        apart = f"{max(per_server) / min(per_server):.3f}" if len(found) > 1 else "-"
        shown = f"{min(m) * 1e3:.2f} to {max(m) * 1e3:.2f}"
        print(f"| {setting} | {shown} | {max(m) / min(m):.3f} | {iqr:.1%} | {apart} |")


if __name__ == "__main__":
    main()
