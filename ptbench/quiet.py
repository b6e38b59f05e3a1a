"""How steady this machine's speed is, in a minute instead of an A/A pair's two hours.

    python -m ptbench.quiet [--seconds 60] [--window 5]

On the core the benchmarks run on (the last one, as ``benchmarks._sampling`` pins them), a fixed
pure-Python loop of a few milliseconds is timed again and again; the table gives, per window, the
median loop time over the fastest loop of the whole run. The loop touches no memory beyond the
cache, so when its windows differ the core itself ran slower for seconds at a time (another
tenant on its sibling thread, the host's clock), which no process setting removes; a benchmark
run on that machine moves by as much. On a 2-core Intel Xeon VM whose interleaved A/A flagged 22
of 206 points at 1.10 (README, "Pull requests and noise"), this loop's 10-second medians spread
1.11-1.53x while a transformer call beside it spread 1.08-1.55x.

The last line gives the core's steal time over the run: the time the hypervisor kept the core from
this VM. Near zero while the windows still differ means the core was not taken away but ran slower
(README, "Pull requests and noise"), so timing CPU time instead of wall time would not help either.
"""

import argparse
import os
import statistics
import time

from benchmarks._sampling import pin_to_one_core


def loop(n=60_000):
    """The fixed work: integer arithmetic on a few objects, no memory traffic."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def measure(seconds):
    """[(seconds since start, loop seconds)] for ``seconds`` of back-to-back loops."""
    start = time.perf_counter()
    series = []
    while (now := time.perf_counter()) - start < seconds:
        loop()
        series.append((now - start, time.perf_counter() - now))
    return series


def windows(series, window):
    """Per ``window`` seconds, the median loop time over the fastest loop of the whole series."""
    fastest = min(t for _, t in series)
    grouped = {}
    for at, t in series:
        grouped.setdefault(int(at // window), []).append(t)
    return [statistics.median(ts) / fastest for _, ts in sorted(grouped.items())]


def verdict(ratios):
    """One line: how far the slowest window lies from the fastest."""
    spread = max(ratios) / min(ratios)
    return (
        f"== this core's speed moved by {spread:.2f}x between windows: changes smaller than that can be"
        " the machine itself (run tools/aa.sh for the figure per point)"
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
    before = steal(core)
    ratios = windows(measure(args.seconds), args.window)
    after = steal(core)
    print(" ".join(f"{r:.2f}" for r in ratios), "(per window: median loop / fastest loop)")
    print(verdict(ratios))
    print(stolen(before, after, args.seconds))


if __name__ == "__main__":
    main()
