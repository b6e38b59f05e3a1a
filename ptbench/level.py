"""Whether a release's run sits at the level of its machine's series, told by a paired measurement.

    python -m ptbench.level RESULTS.json                              # take the pair, then judge
    python -m ptbench.level RESULTS.json --pairs .asv/pair/pairs.json  # judge a pair already taken

``ptbench.steady`` stops a run whose machine moved during it, ``ptbench.pace`` one whose host runs
at another speed than its machine's series (beyond 1.25x, since releases themselves differ by up
to 1.15x). Between the two lies a host that holds still at a level some percent off the one the
series was taken at: its release would draw a step that no release made. On 2026-12-04 the
half-speed VM ran torch 2.11.0's autograd vjp points at a median 1.171x of its series' 2.14.1,
within the pace limit (that run moved as well, and was set aside), while the two releases
measured in turns on its core (``ptbench.pair``) differed by a median 1.012x on the same 18
points, and its 2.14.1, measured again in that pair, lay a median 1.078x above the series' own.

So the release is measured as a pair with the series' nearest release (``ptbench.pace``'s
reference) on a few points (``POINTS``): the two take turns on the core, so the host's level
cancels from their ratio. Per point, the run's time over the reference's in the series, divided
by that paired ratio, is how much slower the host ran the release than it ran the reference; the
median over the points must lie within ``LIMIT`` either way. Exit status 1 beyond it, or when
fewer than ``MIN_POINTS`` points could be set side by side. ``tools/history.sh --commit`` commits
no release beyond it.

Why 1.05: on one steady host two back-to-back runs of the main job differ by a median 0.988-1.002x
over their points (README, "Pull requests and noise"), and each of the three figures per point
carries a few percent of its own noise, which the median over eight points mostly removes: that
day, with a pair taken then, the series' four committed runs lay at 0.952-1.045x a point, medians
0.992x (2.15.0 against 2.14.1), 1.010x (2.14.1 against 2.15.0), 1.011x (2.7.1 against 2.0.1) and
0.998x (2.0.1 against 2.7.1), and the 2.11.0 run above at a median 1.157x.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

from asv import util

from benchmarks._config import ConfigError

from . import pace, pair
from .results import current_versions, timed_points

# Eight points of 50-250 ms on the 2-core VM (convolutions, 1-d convolutions, a transformer), through
# both backends: a few minutes as a pair there.
BENCHMARK = r"^autograd_functional\.Time\.time_call$"
POINTS = r"autograd_functional\.Time\.time_call\('(resnet18|fcn_resnet|wav2letter|transformer)', 'vjp'"
LIMIT = 1.05
MIN_POINTS = pace.MIN_POINTS
ROUNDS = 2  # each release starts first once (ptbench.pair's ABBA order)


def read(path):
    return json.loads(Path(path).read_text())


def pair_commits(folder):
    """(base, head): the commits of a ``ptbench.pair`` run's two sides, from their result files in
    ``folder`` (``.asv/pair``); None for a side without one."""
    found = []
    for side in pair.SIDES:
        files = [f for f in Path(folder, side).glob("*/*.json") if f.name != "machine.json"]
        found.append(pace.commit_of(files[0], read(files[0])) if files else None)
    return tuple(found)


def levels(run, reference, record):
    """{(benchmark, params): (series ratio, paired ratio)} of the points in the run's and the
    reference's timed points (``results.timed_points``) and in the pair's ``record`` (pairs.json)."""
    found = {}
    for key, pairs in pair.paired_points(record).items():
        if key in run and key in reference and reference[key][0] > 0:
            paired = pair.verdict(pairs, 1.0)[0]
            if paired > 0:
                found[key] = (run[key][0] / reference[key][0], paired)
    return found


def check(path, reference_name, record, limit=LIMIT):
    """(at the series' level, lines) for result file ``path`` against ``reference_name`` in its
    machine folder, with the pair of the two releases in ``record``."""
    path = Path(path)
    versions = current_versions(path)
    run, reference = (timed_points(read(p), None, versions) for p in (path, path.parent / reference_name))
    found = levels(run, reference, record)
    lines = [
        f"{name}({', '.join(params)}): {series:.3f}x in the series, {paired:.3f}x paired, level {series / paired:.3f}x"
        for (name, params), (series, paired) in sorted(found.items())
    ]
    if len(found) < MIN_POINTS:
        return False, [
            *lines,
            f"{path}: only {len(found)} points measured in it, in {reference_name} and as a pair: its level against"
            f" the series is unknown (at least {MIN_POINTS} needed)",
        ]
    level = statistics.median(series / paired for series, paired in found.values())
    line = (
        f"{path}: against {reference_name}, this host ran at a median {level:.3f}x of the series' level"
        f" ({len(found)} points, the run's ratio to the reference over the two releases' paired ratio)"
    )
    if 1 / limit <= level <= limit:
        return True, [*lines, f"{line} (within {limit:.2f}x)"]
    return False, [
        *lines,
        f"{line}, beyond {limit:.2f}x: its times would draw a step of the host's, not of the release; take it"
        " again when the host is back at the series' level (python -m ptbench.quiet, ptbench.pace)",
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="the release's asv result file, in its machine's folder")
    parser.add_argument(
        "--pairs", help="a ptbench.pair run's pairs.json (base: the series' reference, head: the file's release)"
    )
    parser.add_argument("--limit", type=float, default=LIMIT, help=f"largest median level either way ({LIMIT})")
    args = parser.parse_args(argv)
    if args.limit < 1:
        parser.error("--limit must be 1 or more")
    path = Path(args.file)
    try:
        data, versions = read(path), current_versions(path)
    except (OSError, ValueError, KeyError) as e:
        parser.exit(2, f"error: {path}: not an asv result file beside a benchmarks.json ({e})\n")
    ref = pace.reference(path, data, versions, BENCHMARK)  # the nearest release with autograd times
    if ref is None:
        print(f"== {path}: the machine has no other run to set its level against", flush=True)
        return 0
    name = ref[0]
    sides = (pace.commit_of(path.parent / name, read(path.parent / name)), pace.commit_of(path, data))
    pairs = Path(args.pairs) if args.pairs else pair.PAIR / "pairs.json"
    if not args.pairs:
        print(f"== {path}: its level against {name}, from the two releases as a pair on {POINTS}", flush=True)
        try:
            pair.run(*sides, bench=[POINTS], rounds=ROUNDS, machine=path.parent.name)
        except (util.UserError, ConfigError) as e:
            print(f"error: the pair {sides[0]} -> {sides[1]} failed: {e}", file=sys.stderr)
            return 2
    taken = pair_commits(pairs.parent)
    if taken != sides:
        parser.exit(2, f"error: {pairs} is a pair of {taken[0]} -> {taken[1]}, not {sides[0]} -> {sides[1]}\n")
    ok, lines = check(path, name, read(pairs), args.limit)
    for line in lines:
        print(f"== {line}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
