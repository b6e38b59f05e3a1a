"""How steady this machine's speed is, in a minute instead of an A/A pair's two hours.

    python -m ptbench.quiet [--seconds 60] [--window 5]

On the core the benchmarks run on (the last one, as ``benchmarks._sampling`` pins them), two fixed
pieces of work of a few milliseconds are timed in turn, again and again; the table gives, per work
and window, the median time over the fastest of the whole run. ``loop`` is pure Python and touches
no memory beyond the cache, so when its windows differ the core itself ran slower for seconds at a
time (another tenant on its sibling thread, the host's clock), which no process setting removes; a
benchmark run on that machine moves by as much. On a 2-core Intel Xeon VM whose interleaved A/A
flagged 22 of 206 points at 1.10 (README, "Pull requests and noise"), this loop's 10-second
medians spread 1.11-1.53x while a transformer call beside it spread 1.08-1.55x. ``torch`` is the
benchmarks' own kind of work on their one thread: a convolution (oneDNN, data in the core's caches)
and a pass over 32 MB (memory bandwidth, which the host's other tenants share). It is there because
the loop alone once stayed within 1.12x between windows while a release's autograd round ran at
1.10-1.22x of its pace on the same host (README, "That host keeps a series of its own").

The last line gives the core's steal time over the run: the time the hypervisor kept the core from
this VM. Near zero while the windows still differ means the core was not taken away but ran slower
(README, "Pull requests and noise"), so timing CPU time instead of wall time would not help either.
"""

import argparse
import os
import statistics
import time

from benchmarks._sampling import pin_to_one_core, single_thread


def loop(n=60_000):
    """The fixed work: integer arithmetic on a few objects, no memory traffic."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def torch_work():
    """The benchmarks' kind of work: a 3x3 convolution of 64 channels at 56x56, then one
    multiply over 32 MB, on one thread (the benchmarks' setting)."""
    import torch

    single_thread()
    x, w, big = torch.randn(1, 64, 56, 56), torch.randn(64, 64, 3, 3), torch.ones(8 << 20)

    def work():
        torch.nn.functional.conv2d(x, w, padding=1)
        big.mul_(1.0)

    return work


WORKS = {"loop": lambda: loop, "torch": torch_work}  # name: builder of the timed callable


def measure(seconds, works):
    """{name: [(seconds since start, seconds)]}: each of ``works`` ({name: callable}), timed in
    turn for ``seconds``. Every call of a turn is placed at the turn's start, so each work has the
    same windows (none of one call past the end). Each is called once untimed first."""
    for work in works.values():
        work()
    series = {name: [] for name in works}
    start = time.perf_counter()
    while (turn := time.perf_counter()) - start < seconds:
        for name, work in works.items():
            began = time.perf_counter()
            work()
            series[name].append((turn - start, time.perf_counter() - began))
    return series


def windows(series, window):
    """Per ``window`` seconds, the median time over the fastest of the whole series."""
    fastest = min(t for _, t in series)
    grouped = {}
    for at, t in series:
        grouped.setdefault(int(at // window), []).append(t)
    return [statistics.median(ts) / fastest for _, ts in sorted(grouped.items())]


def verdict(ratios):
    """One line: how far the slowest window lies from the fastest, per work ({name: ratios}); the
    worst of them is the figure."""
    spreads = {name: max(r) / min(r) for name, r in ratios.items()}
    each = ", ".join(f"{name} {spread:.2f}x" for name, spread in spreads.items())
    return (
        f"== this core's speed moved by {max(spreads.values()):.2f}x between windows ({each}): changes"
        " smaller than that can be the machine itself (run tools/aa.sh for the figure per point)"
    )


def steal(core, stat="/proc/stat"):
    """Seconds since boot the hypervisor kept ``core`` from this VM (Linux's steal time), or None
    where the kernel does not count it."""
    try:
        with open(stat) as lines:
            for line in lines:
                fields = line.split()
                if fields[:1] == [f"cpu{core}"] and len(fields) > 8:
                    return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    return None


def stolen(before, after, seconds):
    """One line: how much of the run the hypervisor took from the core."""
    if before is None or after is None:
        return "== steal time: this kernel does not count it"
    return f"== steal time: {after - before:.2f} s of the {seconds:.0f} s (the hypervisor kept the core from this VM)"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to measure (default 60)")
    parser.add_argument("--window", type=float, default=5.0, help="window length in seconds (default 5)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or not 0 < args.window <= args.seconds:
        parser.error("--seconds must be positive and --window between 0 and --seconds")
    core = pin_to_one_core()
    works = {name: build() for name, build in WORKS.items()}
    before = steal(core)
    series = measure(args.seconds, works)
    after = steal(core)
    ratios = {name: windows(s, args.window) for name, s in series.items()}
    width = max(map(len, ratios))
    for name, r in ratios.items():
        print(f"{name + ':':{width + 1}}", " ".join(f"{x:.2f}" for x in r), "(per window: median / fastest)")
    print(verdict(ratios))
    print(stolen(before, after, args.seconds))


if __name__ == "__main__":
    main()
