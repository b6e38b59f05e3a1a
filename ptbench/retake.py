"""A point's process that ran apart from its others is taken again.

    python -m ptbench.retake RESULTS.json [RESULTS.json ...] [-b REGEX] [--limit 1.15] [--list]

A timed point's samples come from its rounds of processes, minutes apart (``benchmarks.points.steps``),
each process's samples one block of the list (asv appends a round's samples). For every timed
point at its benchmark's current version with three rounds or more, the process whose median lies
furthest from the median of the point's other samples is *apart* when that ratio passes the limit,
slower or faster. Its samples are removed from the file (value and statistics recomputed as asv
computes them), and the asv ``--bench`` regex that selects exactly those points is printed: the
last step of a full run (``points.steps``) runs it once more with ``-a rounds=1 --append-samples``,
so each such point again has its rounds of processes. At most one process a point is replaced, and
only once: a point with two processes apart has no majority to trust, and a retaken process that
lands apart again stays. ``--list`` only prints what it finds.

Why 1.15: in the committed release runs of ``vm-x86-2cpu-24gb-slow`` (2.0.1, 2.7.1, 2.14.1,
2.15.0; 2344 processes) the furthest process of a point lay at most 1.129x from its others, and
in those of 2.14.1 and 2.15.0 on ``vm-x86-2cpu-24gb`` at most 1.134x. The first run of the
back-to-back A/A pair on the half-speed host had six processes beyond it, 1.16-1.44x (regnety_002
inference compiled, wav2letter vjp through both backends, resnet18 vhp, deepspeech vjp,
ppl_robust_reg hvp), a stretch of the machine running slow; on two of them a simulated 20 %
slowdown went unflagged (asv's test p = 0.039): one slow process among four holds a quarter of a
point's samples, which the test on 12 against 12 cannot outvote. The second run had none.
"""

import contextlib
import itertools
import json
import math
import re
import statistics
import sys
from pathlib import Path

from asv import util
from asv_runner.statistics import compute_stats

from benchmarks import points

from .results import current_versions, judge_files, timed_points

LIMIT = 1.15


def processes(benchmark, samples):
    """The point's samples as one list per process, or None when they do not split into its rounds."""
    count = points.rounds(benchmark)
    size, left = divmod(len(samples or ()), count)
    if count < points.RETAKE_ROUNDS or left or not size:
        return None
    return [samples[i * size : (i + 1) * size] for i in range(count)]


def furthest(blocks):
    """(index, ratio): the process whose median lies furthest from the median of the others' samples."""

    def ratio(i):
        others = [x for j, block in enumerate(blocks) if j != i for x in block]
        return statistics.median(blocks[i]) / statistics.median(others)

    ratios = [ratio(i) for i in range(len(blocks))]
    index = max(range(len(blocks)), key=lambda i: abs(math.log(ratios[i])))
    return index, ratios[index]


def apart(data, versions, pattern=None, limit=LIMIT):
    """[(benchmark, params, asv point name, process index, process count, ratio)] for the timed
    points of ``data`` that ``pattern`` selects whose furthest process passes ``limit``."""
    found = []
    for (name, params), (_, _, samples) in timed_points(data, pattern, versions).items():
        blocks = processes(name, samples)
        if blocks and min(map(min, blocks)) > 0:
            process, ratio = furthest(blocks)
            if max(ratio, 1 / ratio) > limit:
                point = f"{name}({', '.join(params)})"  # asv's name, which ``asv run -b`` matches
                found.append((name, params, point, process, len(blocks), ratio))
    return found


def describe(hit):
    """One line for an entry of ``apart``."""
    _, _, point, process, count, ratio = hit
    return f"{point}: process {process + 1} of {count} at {ratio:.3f}x of the others"


def set_aside(path, pattern=None, limit=LIMIT, only=None):
    """Remove from result file ``path`` the process apart of each point that has one (among those
    in whose asv name the regex ``only`` finds a match); lines saying what was removed, and the asv
    names of those points."""
    path = Path(path)
    data = json.loads(path.read_text())
    columns = data["result_columns"]
    found = [hit for hit in apart(data, current_versions(path), pattern, limit) if not only or re.search(only, hit[2])]
    lines = []
    for hit in found:
        name, params, _, process, count, _ = hit
        row = data["results"][name]
        index = list(itertools.product(*row[columns.index("params")])).index(params)
        samples = row[columns.index("samples")][index]
        size = len(samples) // count
        kept = samples[: process * size] + samples[(process + 1) * size :]
        number = row[columns.index("stats_number")][index]
        value, stats = compute_stats(kept, number)
        row[columns.index("samples")][index] = kept
        row[columns.index("result")][index] = value
        for key, stat in stats.items():
            row[columns.index(f"stats_{key}")][index] = stat
        lines.append(f"{describe(hit)}, taken again")
    if found:
        util.write_json(path, data, compact=True)  # as asv writes result files
    return lines, [point for _, _, point, *_ in found]


def regex(names):
    """The ``asv run --bench`` regex that selects exactly the points ``names`` (asv's point names)."""
    return "^(?:" + "|".join(re.escape(name) for name in names) + ")$" if names else ""


def main(argv=None):
    def options(parser):
        parser.add_argument("--list", action="store_true", help="only list the processes apart; change nothing")

    found = []

    def judge(path, args):
        if args.list:
            hits = apart(json.loads(Path(path).read_text()), current_versions(path), args.bench, args.limit or LIMIT)
            lines = list(map(describe, hits))
        else:
            lines, names = set_aside(path, args.bench, args.limit or LIMIT)
            found.extend(names)
        for line in lines:
            print(f"== {line}", file=sys.stderr)
        return True, f"{path}: {len(lines)} timed points with a process beyond {args.limit or LIMIT:.2f}x of the others"

    # stdout carries only the regex, for tools/history.sh to read.
    with contextlib.redirect_stdout(sys.stderr):
        code = judge_files(argv, __doc__, f"largest ratio of a process to its others (default {LIMIT})", judge, options)
    if found:
        print(regex(found))
    return code


if __name__ == "__main__":
    sys.exit(main())
