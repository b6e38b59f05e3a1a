"""Autograd functional API: nine models x ten tasks, through torch.autograd.functional and torch.func.

Benchmark keys (stable; results are stored under them):
    autograd_functional.Time.time_call(model, task, backend, size, device)
    autograd_functional.PeakMemory.peakmem_call(model, task, backend, size, device)
    autograd_functional.BackendDifference.track_max_abs_diff(model, task, size, device)
    autograd_functional.CudaPeakMemory.track_cuda_peak_bytes(model, task, backend, size, device)  [CUDA]

``size`` and ``device`` each take the single configured value (``PTBENCH_SIZE``,
``PTBENCH_DEVICE``), so small and full runs never share a result series. Points outside the
configured task set raise NotImplementedError in ``setup`` (asv shows n/a) before torch is
imported; everything heavy happens in ``setup`` through per-process caches.
"""

from . import _config
from ._models import MODELS
from ._tasks import BACKENDS, TASKS, skip_reason

DEVICE = _config.device()
SIZE = _config.size(DEVICE)
SLOW = _config.slow()


def _points(model, task, *backends):
    """Raise asv's skip for points that do not run; otherwise load torch and check the device."""
    for backend in backends:
        reason = skip_reason(model, task, backend, SLOW)
        if reason:
            raise NotImplementedError(reason)
    _config.check_device(DEVICE)
    from ._tasks import points

    return points


class _Suite:
    param_names = ["model", "task", "backend", "size", "device"]
    params = [list(MODELS), list(TASKS), list(BACKENDS), [SIZE], [DEVICE]]
    # Bump only when the measured work changes (asv keys history by it).
    version = "1"
    warm_up = True

    def setup(self, model, task, backend, size, device):
        points = _points(model, task, backend)
        prepare = points.prepared if self.warm_up else points.call
        self.run = prepare(model, task, backend, size, device)


class Time(_Suite):
    """Seconds per call; the timed region is the call plus device synchronization."""

    # Calls range from 0.1 ms (ppl, multiheadattn) to minutes (full size on CPU): asv picks
    # ``number`` so a sample lasts >= 10 ms, then takes 2-10 samples within ~1.5 s.
    number = 0
    repeat = (2, 10, 1.5)
    warmup_time = 0  # setup already made the warm-up call
    rounds = 1

    def time_call(self, model, task, backend, size, device):
        self.run()


class PeakMemory(_Suite):
    """Peak resident memory of the benchmark process (CPU memory) around one call."""

    warm_up = False  # the process maximum needs one call

    def peakmem_call(self, model, task, backend, size, device):
        self.run()


class BackendDifference:
    """Largest absolute difference between the two backends' results: numerical drift."""

    param_names = ["model", "task", "size", "device"]
    params = [list(MODELS), list(TASKS), [SIZE], [DEVICE]]
    version = "1"
    unit = "max abs diff"

    def setup(self, model, task, size, device):
        points = _points(model, task, *BACKENDS)
        self.results = [points.call(model, task, backend, size, device)() for backend in BACKENDS]

    def track_max_abs_diff(self, model, task, size, device):
        from ._tasks.calls import max_abs_diff

        return max_abs_diff(*self.results)


class CudaPeakMemory(_Suite):
    """Peak bytes held by the CUDA caching allocator during one call (workload included)."""

    unit = "bytes"

    def track_cuda_peak_bytes(self, model, task, backend, size, device):
        import torch

        torch.cuda.reset_peak_memory_stats()
        self.run()
        return torch.cuda.max_memory_allocated()


# Offered only where it measures something: on CPU every point would be a skipped process.
if DEVICE != "cuda":
    del CudaPeakMemory
