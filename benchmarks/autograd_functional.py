"""Autograd functional API: nine models x ten tasks, through torch.autograd.functional and torch.func.

Benchmark keys (stable; results are stored under them):
    autograd_functional.Time.time_call(model, task, backend, size, device)
    autograd_functional.PeakMemory.peakmem_call(model, task, backend, size, device)
    autograd_functional.BackendDifference.track_max_abs_diff(model, task, size, device)
    autograd_functional.CudaPeakMemory.track_cuda_peak_bytes(model, task, backend, size, device)  [CUDA]

``size`` and ``device`` each take the single configured value (``PTBENCH_SIZE``,
``PTBENCH_DEVICE``), so small and full runs never share a result series. Points outside the
configured task set raise NotImplementedError in ``setup`` (asv shows n/a); everything heavy
happens in ``setup`` through per-process caches.
"""

import json
import os
import subprocess
import sys

import torch

from . import _config
from ._models import MODELS
from ._tasks import BACKENDS, BASELINE_MEMORY_MODELS, TASKS, points, skip_reason

DEVICE = _config.device()
SIZE = _config.size(DEVICE)
SLOW = _config.slow()


def _check(reason):
    """Skip (asv shows n/a) when there is a reason; otherwise check the device."""
    if reason:
        raise NotImplementedError(reason)
    _config.check_device(DEVICE)


class _Suite:
    param_names = ["model", "task", "backend", "size", "device"]
    params = [list(MODELS), list(TASKS), list(BACKENDS), [SIZE], [DEVICE]]
    # Bump only when the measured work changes (asv keys history by it).
    version = "1"

    @classmethod
    def skip_reason(cls, model, task, backend):
        """Why a point does not run here, or None."""
        return skip_reason(model, task, backend, SLOW)

    def setup(self, model, task, backend, size, device):
        _check(self.skip_reason(model, task, backend))
        self.run = points.call(model, task, backend, size, device)


class Time(_Suite):
    """Seconds per call; the timed region is the call plus device synchronization."""

    # Calls range from 0.1 ms (ppl, multiheadattn) to minutes (full size on CPU): one call per
    # sample (setup has made the warm-up call, points.call), 2-10 samples within ~1 s. One round:
    # a second would rebuild every workload in a new process.
    number = 1
    repeat = (2, 10, 1.0)
    warmup_time = 0
    rounds = 1

    def time_call(self, model, task, backend, size, device):
        self.run()


class PeakMemory(_Suite):
    """Peak resident memory of the benchmark process (CPU memory) around one call."""

    @classmethod
    def skip_reason(cls, model, task, backend):
        if model in BASELINE_MEMORY_MODELS:
            return f"{model}'s tensors take kilobytes: the process peak would be torch's own footprint"
        return super().skip_reason(model, task, backend)

    def peakmem_call(self, model, task, backend, size, device):
        self.run()


class BackendDifference:
    """Largest absolute difference between the two backends' results: numerical drift."""

    param_names = ["model", "task", "size", "device"]
    params = [list(MODELS), list(TASKS), [SIZE], [DEVICE]]
    version = "1"
    unit = "max abs diff"

    @classmethod
    def skip_reason(cls, model, task, backend=None):
        return next(filter(None, (skip_reason(model, task, b, SLOW) for b in BACKENDS)), None)

    def setup_cache(self):
        """asv keeps this directory for all of the class's points: each model's differences are
        stored there by the first of its points that runs."""
        return os.getcwd()

    @staticmethod
    def _model_differences(directory, model):
        """All of a model's differences, computed once in a child process: one workload build per
        model rather than per point, and a model that runs out of memory fails alone."""
        path = os.path.join(directory, f"differences-{model}.json")
        if not os.path.exists(path):
            tasks = [task for task in TASKS if BackendDifference.skip_reason(model, task) is None]
            root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
            command = [sys.executable, "-m", "benchmarks._tasks.differences", model, SIZE, DEVICE, *tasks]
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

    def setup(self, directory, model, task, size, device):
        _check(self.skip_reason(model, task))
        value = self._model_differences(directory, model)[task]
        if isinstance(value, str):
            if value.startswith("skip: "):
                raise NotImplementedError(value.removeprefix("skip: "))
            raise RuntimeError(value)
        self.value = value

    def track_max_abs_diff(self, directory, model, task, size, device):
        return self.value


class CudaPeakMemory(_Suite):
    """Peak bytes held by the CUDA caching allocator during one call (workload included)."""

    unit = "bytes"

    def track_cuda_peak_bytes(self, model, task, backend, size, device):
        torch.cuda.reset_peak_memory_stats()
        self.run()
        return torch.cuda.max_memory_allocated()


# Offered only where it measures something: on CPU every point would be a skipped process.
if DEVICE != "cuda":
    del CudaPeakMemory
