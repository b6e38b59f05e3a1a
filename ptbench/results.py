"""The measured points of the timed benchmarks in an asv result file, for the tools that judge a
run (``ptbench.steady``, ``ptbench.pace``, ``tools/noise.py``), and those tools' command line."""

import argparse
import itertools
import json
import math
import re
from pathlib import Path

from benchmarks import points

STATS = ("ci_99_a", "ci_99_b", "q_25", "q_75", "number", "repeat")


def timed(name, pattern=None):
    """Whether benchmark ``name`` is a ``time_`` benchmark that ``pattern`` (if any) selects."""
    return points.times(name) and (not pattern or re.search(pattern, name) is not None)


def timed_points(data, pattern=None, versions=None):
    """{(benchmark, params): (value, stats, samples)} for the measured points of ``time_`` benchmarks
    that ``pattern`` selects (by the benchmark's name, or as ``asv run -b`` does, by the point's
    ``name('v1', 'v2')``); with ``versions`` ({benchmark: version}), only those measured at that
    version."""
    columns = data["result_columns"]
    found = {}
    for name, row in data["results"].items():
        column = dict(zip(columns, row, strict=False))
        if not timed(name) or (versions is not None and column.get("version") != versions.get(name)):
            continue
        combos = list(itertools.product(*column["params"])) or [()]
        whole = timed(name, pattern)
        for i, params in enumerate(combos):
            if not whole and not re.search(pattern, f"{name}({', '.join(params)})"):
                continue
            value = column["result"][i]
            if value is None or math.isnan(value):
                continue
            stats = {key: column[f"stats_{key}"][i] for key in STATS if column.get(f"stats_{key}")}
            samples = column["samples"][i] if column.get("samples") else None
            found[(name, params)] = (value, stats or None, samples)
    return found


def current_versions(path):
    """{benchmark: version} from the ``benchmarks.json`` beside the machine folder of result file ``path``."""
    benchmarks = json.loads((Path(path).parent.parent / "benchmarks.json").read_text())
    return {name: b["version"] for name, b in benchmarks.items() if isinstance(b, dict)}


def judge_files(argv, doc, limit_help, judge, options=None):
    """The command line of a tool that judges result files: ``judge(path, args)`` gives (ok, line)
    for each; exit status 1 when one is not ok, 2 for a file that is not a result file."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", help="asv result files")
    parser.add_argument("--limit", type=float, help=limit_help)
    parser.add_argument("-b", "--bench", help="only the benchmarks this regex finds (asv run's -b)")
    if options:
        options(parser)
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be 1 or more")
    try:
        re.compile(args.bench or "")
    except re.error as e:
        parser.error(f"-b {args.bench!r} is not a regex: {e}")
    good = True
    for path in args.files:
        try:
            ok, line = judge(path, args)
        except (OSError, ValueError, KeyError) as e:
            parser.exit(2, f"error: {path}: not an asv result file beside a benchmarks.json ({e})\n")
        print(f"== {line}")
        good &= ok
    return 0 if good else 1
