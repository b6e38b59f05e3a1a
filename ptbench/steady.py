"""Whether a run was taken on a steady machine, read from its own samples.

    python -m ptbench.steady RESULTS.json [RESULTS.json ...] [--limit 1.10]

For every timed point (``time_`` benchmarks) of each asv result file, at the version of the
benchmark in ``benchmarks.json`` beside the machine's folder, the span of its samples (slowest over
fastest); a run is steady when the median span over its points is at most the limit. Exit status
1 when a file is not. ``tools/history.sh --commit`` commits no release whose run is unsteady, and
the main job prints the line.

Why 1.10: on the 2-core AMD VM the committed release runs (2.0.1, 2.7.1, 2.14.1, 2.15.0; 12
samples a point) had median spans of 1.068-1.085x. Two runs on that VM type while its core moved
(``ptbench.quiet``: 1.22-1.96x) had 1.147x (2.4.1) and 1.252x (2.11.0), and both carried the
machine's level: 2.11.0's 206 timed points all lay 1.03-1.53x above 2.14.1's, and the 2.4.1 run
put 2.7.1 at a median 0.935x of 2.4.1 on 14 points where the paired check of the two releases
(``tools/continuous.sh``, both in turns) measured 0.976-1.059x. The noisy Intel VM's points
spanned a median 1.48x. A run above 1.10x holds the machine's moves, not the release's.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

from .results import timed_points

LIMIT = 1.10
MIN_SAMPLES = 3  # a --quick run's single sample has no span


def spans(data, versions):
    """Slowest over fastest sample of each timed point at its benchmark's current version."""
    points = timed_points(data, versions=versions).values()
    return [max(s) / min(s) for _, _, s in points if s and len(s) >= MIN_SAMPLES and min(s) > 0]


def check(path, limit=LIMIT):
    """(steady, one line) for the result file at ``path``."""
    path = Path(path)
    benchmarks = json.loads((path.parent.parent / "benchmarks.json").read_text())
    versions = {name: b["version"] for name, b in benchmarks.items() if isinstance(b, dict)}
    found = spans(json.loads(path.read_text()), versions)
    if not found:
        return True, f"{path}: no timed point of the current benchmark versions with {MIN_SAMPLES} or more samples"
    median = statistics.median(found)
    line = f"{path}: {len(found)} timed points, their samples span a median {median:.3f}x, slowest over fastest"
    if median <= limit:
        return True, f"{line} (steady: at most {limit:.2f}x)"
    return False, (
        f"{line}, above {limit:.2f}x, where whole runs on a steady machine stay: the machine's speed"
        " likely moved during the run (python -m ptbench.quiet), and its times with it"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", help="asv result files")
    parser.add_argument("--limit", type=float, default=LIMIT, help=f"largest steady median span (default {LIMIT})")
    args = parser.parse_args(argv)
    if args.limit < 1:
        parser.error("--limit must be 1 or more")
    steady = True
    for path in args.files:
        try:
            ok, line = check(path, args.limit)
        except (OSError, ValueError, KeyError) as e:
            parser.exit(2, f"error: {path}: not an asv result file beside a benchmarks.json ({e})\n")
        print(f"== {line}")
        steady &= ok
    return 0 if steady else 1


if __name__ == "__main__":
    sys.exit(main())
