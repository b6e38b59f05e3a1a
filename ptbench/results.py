"""The measured points of the timed benchmarks in an asv result file, for the tools that judge a
run (``ptbench.steady``, ``tools/noise.py``)."""

import itertools
import math
import re

from benchmarks import points

STATS = ("ci_99_a", "ci_99_b", "q_25", "q_75", "number", "repeat")


def timed(name, pattern=None):
    """Whether benchmark ``name`` is a ``time_`` benchmark that ``pattern`` (if any) selects."""
    return points.times(name) and (not pattern or re.search(pattern, name) is not None)


def timed_points(data, pattern=None, versions=None):
    """{(benchmark, params): (value, stats, samples)} for the measured points of ``time_`` benchmarks;
    with ``versions`` ({benchmark: version}), only those measured at that version."""
    columns = data["result_columns"]
    found = {}
    for name, row in data["results"].items():
        column = dict(zip(columns, row, strict=False))
        if not timed(name, pattern) or (versions is not None and column.get("version") != versions.get(name)):
            continue
        combos = list(itertools.product(*column["params"])) or [()]
        for i, params in enumerate(combos):
            value = column["result"][i]
            if value is None or math.isnan(value):
                continue
            stats = {key: column[f"stats_{key}"][i] for key in STATS if column.get(f"stats_{key}")}
            samples = column["samples"][i] if column.get("samples") else None
            found[(name, params)] = (value, stats or None, samples)
    return found
