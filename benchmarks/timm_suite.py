"""timm models: the dynamo runner's model list, inference and a training step, eager and compiled.

Benchmark keys (stable; results are stored under them):
    timm_suite.Eager.time_step(model, mode, precision, memory_format, size, device)
    timm_suite.Eager.peakmem_step(...)
    timm_suite.Compiled.time_step(...), .peakmem_step(...)
    timm_suite.CompileTime.track_compile_seconds(...)
    timm_suite.CudaPeakMemory.track_cuda_peak_bytes(...)

``model`` is the reference's name, followed by ``=<timm name>`` where timm 1.0.31 knows the model
under another name. The parameters hold every model, mode, precision, memory format, size and
device on every machine; the ``PTBENCH_*`` settings choose the points that run
(``benchmarks.points``).
"""

import functools

import torch

from . import _sampling, points
from .autograd_functional import check
from .registry import TIMM_KEYS

try:  # imported once in asv's server, like torch; timm needs a torchvision built for this torch
    import timm  # noqa: F401

    from ._models.timm_models import ModelUnavailable
    from ._tasks import timm_prepared

    TIMM_ERROR = None
except ImportError as e:
    import importlib.util

    TIMM_ERROR = f"timm cannot be imported with torch {torch.__version__}: {type(e).__name__}: {e}"
    if importlib.util.find_spec("torchvision") is None:  # history/install_torch.py found none to pair
        TIMM_ERROR = (
            f"no torchvision is installed for torch {torch.__version__} (the package index had none built "
            "for it when the environment was made), and so no timm, which imports torchvision"
        )


def _check(suite, point):
    check(suite, point)
    if TIMM_ERROR:
        raise NotImplementedError(TIMM_ERROR)


def _named(point):
    """The point with the catalog name in place of the parameter's ``name=timm name`` key."""
    return (TIMM_KEYS[point[0]], *point[1:])


def _prepare(make, point):
    try:
        return make(*_named(point))
    except ModelUnavailable as e:
        raise NotImplementedError(str(e)) from e


@functools.cache
def warmed(point, compiled):
    """The point's ``Sampler``, made once per process; its first call compiles a compiled step."""
    sampler = _sampling.Sampler(
        _prepare(functools.partial(timm_prepared.step, compiled=compiled), point), _sampling.TIMM
    )
    if compiled:
        timm_prepared.forbid_recompiles()
    return sampler


class _Timm:
    param_names = list(points.TIMM.names)
    params = [list(values) for values in points.TIMM.values]
    # Bump when the measured work or the way it is measured changes (asv keys history by it):
    # 5, 12 samples a run (``_sampling.RUN_SAMPLES``).
    version = "5"
    compiled = False
    suite = "timm_suite.Eager"


class Eager(_sampling.Sampled, _Timm):
    """One inference forward (eval, no grad) or training step, eager (``_sampling``: how it is timed).

    ``peakmem_step``: the peak resident memory of a process that built the model and ran its first
    step (time and memory share the class, so they share setup; only timing warms up)."""

    rounds = _sampling.TIMM.rounds

    def setup(self, *point):
        _check(self.suite, point)
        self.step = _prepare(functools.partial(timm_prepared.step, compiled=self.compiled), point)
        self.sample(functools.partial(warmed, point, self.compiled))

    def time_step(self, model, mode, precision, memory_format, size, device):
        self.run()

    def peakmem_step(self, model, mode, precision, memory_format, size, device):
        self.step()


class Compiled(Eager):
    """torch.compile (inductor). The first step in setup compiles; recompiling later is an error."""

    compiled = True
    suite = "timm_suite.Compiled"


class CompileTime:
    """Seconds from torch.compile to the end of the first step: cold (fresh process, no caches)."""

    param_names, params = _Timm.param_names, _Timm.params
    version = "4"
    unit = "seconds"

    def setup(self, *point):
        _check("timm_suite.CompileTime", point)
        _prepare(timm_prepared.workload, point)

    def track_compile_seconds(self, *point):
        return _prepare(timm_prepared.cold_compile_seconds, point)


class CudaPeakMemory(_Timm):
    """Peak bytes of the CUDA caching allocator during one step (model and optimizer included)."""

    version = "1"
    unit = "bytes"
    suite = "timm_suite.CudaPeakMemory"

    def setup(self, *point):
        _check(self.suite, point)
        self.run = _prepare(timm_prepared.step, point)
        self.run()

    def track_cuda_peak_bytes(self, *point):
        torch.cuda.reset_peak_memory_stats()
        self.run()
        return torch.cuda.max_memory_allocated()
