"""Print `asv run -b` patterns selecting only the points of a suite class that run.

asv starts a process per parameter combination, even one whose setup then skips it; on the
autograd suite that is 260 of 450 combinations at default settings. Selecting the runnable
ones by pattern (asv matches `name(param, ...)`) starts no process for the rest.

    python tools/select_points.py autograd_functional Time   # one pattern per line
"""

import importlib
import inspect
import itertools
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere


def patterns(module_name, class_name):
    module = importlib.import_module(f"benchmarks.{module_name}")
    cls = getattr(module, class_name)
    (method,) = [n for n, _ in inspect.getmembers(cls) if n.startswith(("time_", "peakmem_", "track_"))]
    for values in itertools.product(*cls.params):
        point = dict(zip(cls.param_names, values, strict=True))
        if cls.skip_reason(point["model"], point["task"], point.get("backend")) is None:
            args = ", ".join(repr(v) for v in values)
            yield "^" + re.escape(f"{module_name}.{class_name}.{method}({args})") + "$"


if __name__ == "__main__":
    print("\n".join(patterns(*sys.argv[1:])))
