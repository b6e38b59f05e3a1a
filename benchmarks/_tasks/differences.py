"""Child process: the largest absolute difference between the backends, for one model's tasks.

    python -m benchmarks._tasks.differences MODEL SIZE DEVICE TASK [TASK ...]

prints a JSON object: task -> difference, or task -> "error: ..." for a task that failed.
One process per model keeps a model that runs out of memory from taking the others with it.
"""

import json
import sys

from . import BACKENDS
from .calls import max_abs_diff
from .points import call


def differences(model, size, device, tasks):
    out = {}
    for task in tasks:
        try:
            results = [call(model, task, backend, size, device)() for backend in BACKENDS]
            out[task] = max_abs_diff(*results)
        except NotImplementedError as e:
            out[task] = f"skip: {e}"
        except Exception as e:  # reported per task; the other tasks still run
            out[task] = f"error: {type(e).__name__}: {e}"
        call.cache_clear()
    return out


if __name__ == "__main__":
    model, size, device, *tasks = sys.argv[1:]
    print(json.dumps(differences(model, size, device, tasks)))
