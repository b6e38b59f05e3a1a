"""The largest absolute difference between the two backends' results, per (model, task).

``model_differences`` computes all of a model's differences once, in a child process

    python -m benchmarks._tasks.differences MODEL SIZE DEVICE TASK [TASK ...]

which prints a JSON object: task -> difference, or task -> "error: ..." for a task that failed.
One workload build per model rather than per point, and a model that runs out of memory fails
alone. The result is kept in ``directory`` (asv's setup_cache directory) for the model's points.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def differences(model, size, device, tasks):
    from ..registry import BACKENDS
    from .calls import max_abs_diff
    from .prepared import call

    out = {}
    for task in tasks:
        try:
            results = [call(model, task, backend, size, device)() for backend in BACKENDS]
            out[task] = max_abs_diff(*results)
        except Exception as e:  # reported per task; the other tasks still run
            out[task] = f"error: {type(e).__name__}: {e}"
        call.cache_clear()
    return out


def model_differences(directory, model, size, device, tasks):
    """{task: difference or "error: ..."} for ``tasks`` of ``model``, computed on first use."""
    path = os.path.join(directory, f"differences-{model}-{size}-{device}.json")
    if not os.path.exists(path):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        command = [sys.executable, "-m", __name__, model, size, device, *tasks]
        proc = subprocess.run(command, capture_output=True, text=True, env=env)
        if proc.returncode == 0:
            found = json.loads(proc.stdout)
        else:
            error = f"error: differences for {model} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}"
            found = dict.fromkeys(tasks, error)
        with open(path, "w") as f:
            json.dump(found, f)
    with open(path) as f:
        return json.load(f)


if __name__ == "__main__":
    from .._sampling import isolate

    isolate()
    model, size, device, *tasks = sys.argv[1:]
    print(json.dumps(differences(model, size, device, tasks)))
