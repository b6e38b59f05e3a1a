"""Autograd functional API: nine models x ten tasks, through torch.autograd.functional and torch.func.

Benchmark keys (stable; results are stored under them):
    autograd_functional.Time.time_call(model, task, backend, size, device)
    autograd_functional.PeakMemory.peakmem_call(model, task, backend, size, device)
    autograd_functional.BackendDifference.track_max_abs_diff(model, task, size, device)
    autograd_functional.CudaPeakMemory.track_cuda_peak_bytes(model, task, backend, size, device)

The parameters hold every model, task, backend, size and device on every machine; the
``PTBENCH_*`` settings choose the points that run (``benchmarks.points``), and a point that does
not run raises NotImplementedError in ``setup`` with its reason (asv shows n/a). Everything heavy
happens in ``setup`` through per-process caches.
"""

import functools
import os
import platform

import torch

from . import _sampling, points
from ._config import Settings, check_device
from ._tasks import differences, prepared
from .registry import TASKS


@functools.cache
def settings():
    return Settings.from_env()


def reason(suite, point):
    """Why ``point`` does not run here, the installed torch and Python included, or None."""
    return points.reason(suite, point, settings(), torch.__version__, platform.python_version())


def check(suite, point):
    """Skip (asv shows n/a) a point that does not run here, with its reason; else prepare the process."""
    reason_ = reason(suite, point)
    if reason_:
        raise NotImplementedError(reason_)
    check_device(point[-1])
    _sampling.isolate()


@functools.cache
def warmed(point):
    """The point's ``Sampler``, made (first call included) once per process."""
    return _sampling.Sampler(prepared.call(*point), _sampling.AUTOGRAD)


class _Suite:
    param_names = list(points.AUTOGRAD.names)
    params = [list(values) for values in points.AUTOGRAD.values]
    # Bump when the measured work or the way it is measured changes (asv keys history by it).
    version = "4"


class Time(_sampling.Sampled, _Suite):
    """Seconds per call; the timed region is the call plus device synchronization (``_sampling``)."""

    rounds = _sampling.AUTOGRAD.rounds
    version = "5"  # 12 samples a run (``_sampling.RUN_SAMPLES``), 8 in version 4

    def setup(self, *point):
        check("autograd_functional.Time", point)
        self.sample(functools.partial(warmed, point))

    def time_call(self, model, task, backend, size, device):
        self.run()


class PeakMemory(_Suite):
    """Peak resident memory of the benchmark process (CPU memory): the workload and one call."""

    def setup(self, *point):
        check("autograd_functional.PeakMemory", point)
        self.run = prepared.call(*point)

    def peakmem_call(self, model, task, backend, size, device):
        self.run()


class BackendDifference:
    """Largest absolute difference between the two backends' results: numerical drift."""

    param_names = list(points.AUTOGRAD_DIFFERENCE.names)
    params = [list(values) for values in points.AUTOGRAD_DIFFERENCE.values]
    version = "2"
    unit = "max abs diff"

    def setup_cache(self):
        """asv keeps this directory for all of the class's points: each model's differences are
        stored there by the first of its points that runs."""
        return os.getcwd()

    def setup(self, directory, model, task, size, device):
        suite = "autograd_functional.BackendDifference"
        check(suite, (model, task, size, device))
        tasks = [t for t in TASKS if not reason(suite, (model, t, size, device))]
        value = differences.model_differences(directory, model, size, device, tasks)[task]
        if isinstance(value, str):
            raise RuntimeError(value)
        self.value = value

    def track_max_abs_diff(self, directory, model, task, size, device):
        return self.value


class CudaPeakMemory(_Suite):
    """Peak bytes held by the CUDA caching allocator during one call (workload included)."""

    version = "1"
    unit = "bytes"

    def setup(self, *point):
        check("autograd_functional.CudaPeakMemory", point)
        self.run = prepared.call(*point)
        self.run()

    def track_cuda_peak_bytes(self, model, task, backend, size, device):
        torch.cuda.reset_peak_memory_stats()
        self.run()
        return torch.cuda.max_memory_allocated()
