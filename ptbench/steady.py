"""Whether a run was taken on a steady machine, read from its own samples.

    python -m ptbench.steady RESULTS.json [RESULTS.json ...] [--limit 1.10] [-b REGEX] [--one-process | --probe]

For every timed point (``time_`` benchmarks, or those ``-b`` selects) of each asv result file, at
the version of the benchmark in ``benchmarks.json`` beside the machine's folder, the span of its
samples (slowest over fastest); a run is steady when the median span over its points is at most
the limit. Exit status 1 when a file is not. ``tools/history.sh --commit`` commits no release
whose run is unsteady, and the main job prints the line.

Why 1.10: on the 2-core AMD VM the committed release runs (2.0.1, 2.7.1, 2.14.1, 2.15.0; 12
samples a point) had median spans of 1.068-1.085x. Two runs on that VM type while its core moved
(``ptbench.quiet``: 1.22-1.96x) had 1.147x (2.4.1) and 1.252x (2.11.0), and both carried the
machine's level: 2.11.0's 206 timed points all lay 1.03-1.53x above 2.14.1's, and the 2.4.1 run
put 2.7.1 at a median 0.935x of 2.4.1 on 14 points where the paired check of the two releases
(``tools/continuous.sh``, both in turns) measured 0.976-1.059x. The noisy Intel VM's points
spanned a median 1.48x. A run above 1.10x holds the machine's moves, not the release's.

A point's span only grows as its samples are added, so points that span too much after a round
keep doing so: ``tools/history.sh`` checks the points of every timed round. A benchmark's first
round holds one process per point, whose samples lie seconds apart (``--one-process``, limit
1.03): in the six runs above, the autograd points' first-round samples spanned a median
1.012-1.018x in the committed runs, 1.036x (2.11.0) and 1.042x (2.4.1) in the others, and the timm
points' (their first four samples) 1.018-1.022x in the committed runs of 2.0.1, 2.7.1 and 2.14.1, so
a moving machine is seen after two minutes of timed work rather than at the end of fifty.

The timm points' first round still takes 16 minutes, and on a shared host it can be unsteady try
after try, so ``tools/history.sh`` takes its first 16 points (``benchmarks.points.PROBE_POINTS``)
before it, judges them, and puts the files back (``--probe``, limit 1.05): the median over 16
points moves more than over 130. In the model-17 series' committed first rounds, the first 16 timm
eager points spanned a median 1.010-1.032x (whole rounds 1.014-1.026x), the first 16 autograd
points 1.010-1.023x; the two tries of 2.4.1's timm round set aside on 2026-12-06 (1.096x and 1.090x
in all) 1.076x and 1.096x in their first 16. The round itself is judged as before.
"""

import json
import statistics
import sys
from pathlib import Path

from .results import current_versions, judge_files, timed_points

LIMIT = 1.10
ONE_PROCESS_LIMIT = 1.03
PROBE_LIMIT = 1.05
MIN_SAMPLES = 3  # a --quick run's single sample has no span


def spans(data, versions, pattern=None):
    """Slowest over fastest sample of each timed point (that ``pattern`` selects) at its benchmark's
    current version."""
    points = timed_points(data, pattern, versions).values()
    return [max(s) / min(s) for _, _, s in points if s and len(s) >= MIN_SAMPLES and min(s) > 0]


def check(path, limit=None, pattern=None, one_process=False, probe=False):
    """(steady, one line) for the result file at ``path``, over the timed points ``pattern`` selects;
    ``one_process``: each point holds the samples of one process (a benchmark's first round);
    ``probe``: and they are a first round's first few points."""
    one_process = one_process or probe
    limit = limit or (PROBE_LIMIT if probe else ONE_PROCESS_LIMIT if one_process else LIMIT)
    path = Path(path)
    found = spans(json.loads(path.read_text()), current_versions(path), pattern)
    if not found:
        return True, f"{path}: no timed point of the current benchmark versions with {MIN_SAMPLES} or more samples"
    median = statistics.median(found)
    each = " (one process each)" if one_process else ""
    line = f"{path}: {len(found)} timed points{each}, their samples span a median {median:.3f}x, slowest over fastest"
    if median <= limit:
        return True, f"{line} (steady: at most {limit:.2f}x)"
    return False, (
        f"{line}, above {limit:.2f}x, where runs on a steady machine stay: the machine's speed likely"
        " moved during the run (python -m ptbench.quiet), and its times with it"
    )


def main(argv=None):
    def options(parser):
        parser.add_argument(
            "--one-process",
            action="store_true",
            help=f"each point holds one process's samples, a run's first round (default limit {ONE_PROCESS_LIMIT})",
        )
        parser.add_argument(
            "--probe",
            action="store_true",
            help=f"one process a point, a first round's first few points (default limit {PROBE_LIMIT})",
        )

    return judge_files(
        argv,
        __doc__,
        f"largest steady median span (default {LIMIT})",
        lambda path, args: check(path, args.limit, args.bench, args.one_process, args.probe),
        options,
    )


if __name__ == "__main__":
    sys.exit(main())
