"""Reading asv result files in tests."""

import itertools


def rows(data, prefix):
    """(benchmark name, parameter values, value) for every point of the benchmarks under ``prefix``."""
    columns = data["result_columns"]
    for name in sorted(n for n in data["results"] if n.startswith(prefix)):
        row = dict(zip(columns, data["results"][name], strict=False))
        for params, value in zip(itertools.product(*row["params"]), row["result"], strict=True):
            yield name, [p.strip("'") for p in params], value
