"""Whether this host runs at the pace of the machine its results are filed under.

    python -m ptbench.pace RESULTS.json [RESULTS.json ...] [-b REGEX] [--limit 1.25]

``ptbench.host`` checks the processor's name, core count and architecture, but a VM of one kind
can come up with the same names and a different speed: on 2026-12-03 a 2-core "AMD EPYC" VM
(family 25, model 1), steady (``ptbench.quiet``: 1.03x between windows), ran the main job's
autograd points at a median 2.03x (10th-90th percentile 1.34-2.77x) and timm eager at 1.60x of
the same torch 2.14.1 in ``vm-x86-2cpu-24gb``'s committed release run. Filed there, its results
would draw a step that no release made. So a run's times are set against the machine's run of the
same torch in another environment (the release run, for the main job), else of the release nearest
in version, benchmark by benchmark over the points both measured at the current benchmark versions.

Why 1.25: on one host the main job and the release run of the same torch differ by a median
0.94-0.97x, and between the committed releases the largest median change is 1.145x (autograd,
2.0.1 to 2.7.1, seven releases apart; 2.14.1 to 2.7.1 0.967x, timm eager 0.948x). The Intel host
of that VM kind ran autograd at 1.63x of the AMD's times, this one at 2.03x. Exit status 1 when a
benchmark's median ratio lies beyond the limit either way.
"""

import json
import re
import statistics
import sys
from pathlib import Path

from .results import current_versions, judge_files, timed_points

LIMIT = 1.25
MIN_POINTS = 5  # fewer shared points than this say little about a whole host


def release(commit):
    """(major, minor, patch) of a release name such as "2.14.1", or None for a commit hash."""
    return tuple(map(int, commit.split("."))) if re.fullmatch(r"\d+\.\d+(\.\d+)?", commit) else None


def commit_of(path, data):
    return data.get("commit_hash") or Path(path).name.split("-", 1)[0]


def ratios(data, other, versions, pattern=None):
    """{benchmark: [time in ``data`` over time in ``other``, per point both measured]}."""
    mine, theirs = (timed_points(d, pattern, versions) for d in (data, other))
    found = {}
    for key in mine.keys() & theirs.keys():
        if theirs[key][0] > 0:
            found.setdefault(key[0], []).append(mine[key][0] / theirs[key][0])
    return found


def reference(path, data, versions, pattern=None):
    """(file name, {benchmark: ratios}) of the machine's result file to set ``path``'s against: of
    those sharing ``MIN_POINTS`` timed points with it, the same commit in another environment, else
    the release nearest in version (the older of two); None when there is none."""
    path = Path(path)
    commit = commit_of(path, data)
    mine, candidates = release(commit), []
    for other in sorted(path.parent.glob("*.json")):
        if other.name == "machine.json" or other.resolve() == path.resolve():
            continue
        other_data = json.loads(other.read_text())
        theirs = commit_of(other, other_data)
        if theirs == commit:
            rank = (0,)
        elif mine and (near := release(theirs)):
            rank = (1, abs(near[0] - mine[0]), abs(near[1] - mine[1]), near > mine)
        else:
            continue
        found = {name: r for name, r in ratios(data, other_data, versions, pattern).items() if len(r) >= MIN_POINTS}
        if found:
            candidates.append((rank, other.name, found))
    return min(candidates)[1:] if candidates else None


def check(path, limit=None, pattern=None):
    """(at the machine's pace, one line) for the result file at ``path``, over the timed points
    ``pattern`` selects."""
    limit = limit or LIMIT
    path = Path(path)
    ref = reference(path, json.loads(path.read_text()), current_versions(path), pattern)
    if ref is None:
        return True, f"{path}: the machine has no run sharing {MIN_POINTS} timed points to set its times against"
    name, found = ref
    medians = {benchmark: statistics.median(r) for benchmark, r in sorted(found.items())}
    each = ", ".join(f"{benchmark} {m:.3f}x ({len(found[benchmark])} points)" for benchmark, m in medians.items())
    line = f"{path}: median time over {name}'s: {each}"
    if all(1 / limit <= m <= limit for m in medians.values()):
        return True, f"{line} (the machine's pace: within {limit:.2f}x)"
    return False, (
        f"{line}, beyond {limit:.2f}x: this host does not run at the pace of the machine {path.parent.name!r} "
        "was recorded at, and its times would draw changes no commit made; record it under a name of its "
        "own (python -m ptbench.host NAME) and run with --machine NAME"
    )


def main(argv=None):
    return judge_files(
        argv,
        __doc__,
        f"largest median ratio either way (default {LIMIT})",
        lambda path, args: check(path, args.limit, args.bench),
    )


if __name__ == "__main__":
    sys.exit(main())
