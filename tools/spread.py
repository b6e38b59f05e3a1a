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

``--reference`` takes the machine's own moves out: a reference process of the same point, in an
interpreter of its own, takes turns on the core with every measured process (as ``ptbench.pair``'s
two sides do, ``_sampling.Turns``), and a process's level is the median of its samples over the
reference's block just before each. Each sample is then the fastest call of a block of 0.1 s, as
the suites sample (settings that pin to the last core only). Comparing ``--servers 1 --processes
12`` (twelve forks of one interpreter) with ``--servers 12 --processes 1`` (a new interpreter
each) tells whether a process's speed is set in its server or after the fork; ``--fixed-layout``
starts the servers with hash randomization and address-space randomization off.

``--trace`` prints every call of each process instead, from the first: milliseconds, the page
faults the process took during the call, and the huge pages the kernel faulted in meanwhile
(``thp_fault_alloc`` of /proc/vmstat, counted machine-wide: run it on a quiet machine).
"""

import argparse
import ast
import bisect
import ctypes
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402,F401

# the suites, imported before forking as asv's server imports them (and with them torch and the tasks)
import benchmarks.autograd_functional  # noqa: E402,F401
import benchmarks.timm_suite  # noqa: E402,F401
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
# The settings that pin a process to the last core, where the reference process takes its turns.
PINNED = {"pinned", "mmap32", "isolated"}


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


def blocks(run, turns, samples):
    """After three untimed calls, ``samples`` (wall-clock time at its end, fastest call of a block),
    each block after a turn of the other process on the lock file ``turns``; endless when ``samples``
    is None."""
    for _ in range(3):
        run()
    start = time.perf_counter()
    run()
    calls, _ = _sampling.plan(time.perf_counter() - start, 1)
    lock = _sampling.Turns(turns)
    taken = 0
    while samples is None or taken < samples:
        lock.pass_turn()
        # each call timed as the suites time it (a call that grew the heap is made again)
        fastest = min(_sampling.timed_call(run) for _ in range(calls))
        yield time.time(), fastest
        taken += 1


def measure(name, setting, samples, trace=False, turns=None):
    """``samples`` call times after three untimed calls; with ``trace``, every call from the first
    as (seconds, page faults, huge pages faulted in); with ``turns``, ``blocks``."""
    for apply in SETTINGS[setting]:
        apply()
    run = runner(name)
    if turns:
        return list(blocks(run, turns, samples))
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


def in_child(name, setting, samples, trace=False, turns=None):
    """``measure`` in a fork of this process; its samples."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            answer = measure(name, setting, samples, trace, turns)
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


def serve(point, chosen, processes, samples, turns=None):
    """{setting: [each process's samples]}, the processes interleaved across settings."""
    found = {s: [] for s in chosen}
    for i in range(processes):
        for setting in chosen:
            found[setting].append(in_child(point, setting, samples, turns=turns))
        print(f"process {i + 1} of {processes} done for each setting", file=sys.stderr, flush=True)
    return found


def reference(point, turns, path):
    """The reference process: the suites' isolation, then blocks in turns until killed, each
    written to ``path`` as it is taken."""
    _sampling.isolate()
    with open(path, "w") as out:
        for wall, seconds in blocks(runner(point), turns, None):
            out.write(f"{wall} {seconds}\n")
            out.flush()


def against(samples, reference_blocks):
    """A process's level: the median of each of its (time, seconds) samples over the reference's
    block taken just before it."""
    times = [wall for wall, _ in reference_blocks]
    ratios = []
    for wall, seconds in samples:
        before = bisect.bisect_left(times, wall) - 1
        if before >= 0:
            ratios.append(seconds / reference_blocks[before][1])
    return statistics.median(ratios)


def summary(samples):
    """(median, IQR / median) of a process's call times."""
    q = statistics.quantiles(samples, n=4)
    return statistics.median(samples), (q[2] - q[0]) / statistics.median(samples)


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
    parser.add_argument("--reference", action="store_true", help="levels against a reference process taking turns")
    parser.add_argument(
        "--fixed-layout", action="store_true", help="servers without hash or address-space randomization"
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # a server's answer
    parser.add_argument("--turns", help=argparse.SUPPRESS)  # a server's lock file, with --reference
    parser.add_argument("--as-reference", help=argparse.SUPPRESS)  # the reference process's output file
    args = parser.parse_args(argv)
    chosen = args.settings.split(",")
    unknown = [s for s in chosen if s not in SETTINGS]
    if unknown:
        sys.exit(f"error: unknown setting {', '.join(unknown)}; known: {', '.join(SETTINGS)}")
    if args.reference and (args.trace or not set(chosen) <= PINNED):
        sys.exit(f"error: --reference takes turns on the last core: settings {', '.join(sorted(PINNED))}, no --trace")
    if args.as_reference:
        reference(args.point, args.turns, args.as_reference)
        return
    if args.json:
        if args.trace:
            measured = traces(args.point, chosen, args.processes, args.samples)
        else:
            measured = serve(args.point, chosen, args.processes, args.samples, args.turns)
        print(json.dumps(measured))
        return
    # Each server is a new interpreter, started with the heap the suites' processes get or without it.
    environ = {k: v for k, v in os.environ.items() if k not in _sampling.PROCESS_ENVIRONMENT}
    environ = _sampling.with_process_environment(environ) if args.heap == "huge" else environ
    command = [sys.executable, __file__, args.point, "--json", f"--processes={args.processes}"]
    command += [f"--samples={args.samples}", f"--settings={args.settings}"] + ["--trace"] * args.trace
    if args.fixed_layout:
        command = ["setarch", platform.machine(), "--addr-no-randomize", *command]
        environ = {**environ, "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as scratch:
        referee = None
        if args.reference:
            turns, path = f"{scratch}/turns.lock", f"{scratch}/reference"
            command.append(f"--turns={turns}")
            referee = subprocess.Popen(
                [sys.executable, __file__, args.point, f"--turns={turns}", f"--as-reference={path}"], env=environ
            )
            while not (os.path.exists(path) and os.path.getsize(path)):
                if referee.poll() is not None:
                    sys.exit("error: the reference process ended before its first block")
                time.sleep(0.2)
        found = []
        try:
            for i in range(args.servers):
                server = subprocess.run(command, check=True, capture_output=True, text=True, env=environ)
                found.append(json.loads(server.stdout))
                print(f"server {i + 1} of {args.servers} done", file=sys.stderr, flush=True)
        finally:
            if referee:
                referee.kill()
                referee.wait()
        if referee:
            with open(path) as f:
                # the kill may cut the last line short
                reference_blocks = [tuple(map(float, line.split())) for line in f if line.endswith("\n")]
    print(f"{args.point}: {args.servers} server(s) x {args.processes} processes x {args.samples} samples per setting")
    print(f"heap pages: {'huge (as the suites run)' if args.heap == 'huge' else 'glibc default (4 KiB)'}")
    if args.fixed_layout:
        print("servers started with PYTHONHASHSEED=0 and no address-space randomization")
    if args.reference:
        print("each process's level: median of its blocks over the reference's block before each")
        print("| setting | process levels | largest / smallest | standard deviation / mean | server medians apart |")
        print("|---|---|---|---|---|")
        for setting in chosen:
            levels = [[against(samples, reference_blocks) for samples in server[setting]] for server in found]
            flat = [level for server in levels for level in server]
            deviation = statistics.stdev(flat) / statistics.mean(flat) if len(flat) > 1 else 0.0
            per_server = [statistics.median(server) for server in levels]
            apart = f"{max(per_server) / min(per_server):.3f}" if len(found) > 1 else "-"
            shown = f"{min(flat):.3f} to {max(flat):.3f}"
            print(f"| {setting} | {shown} | {max(flat) / min(flat):.3f} | {deviation:.1%} | {apart} |")
        return
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
        stats = [[summary(samples) for samples in server[setting]] for server in found]
        m = [median for server in stats for median, _ in server]
        iqr = statistics.median(spread for server in stats for _, spread in server)
        per_server = [statistics.median(median for median, _ in server) for server in stats]
        apart = f"{max(per_server) / min(per_server):.3f}" if len(found) > 1 else "-"
        shown = f"{min(m) * 1e3:.2f} to {max(m) * 1e3:.2f}"
        print(f"| {setting} | {shown} | {max(m) / min(m):.3f} | {iqr:.1%} | {apart} |")


if __name__ == "__main__":
    main()
