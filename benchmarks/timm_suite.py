"""timm models: the dynamo runner's model list, inference and a training step, eager and compiled.

Benchmark keys (stable; results are stored under them):
    timm_suite.Eager.time_step(model, mode, precision, memory_format, size, device)
    timm_suite.Eager.peakmem_step(...)
    timm_suite.Compiled.time_step(...), .peakmem_step(...)
    timm_suite.CompileTime.track_compile_seconds(...)
    timm_suite.CudaPeakMemory.track_cuda_peak_bytes(...)  [CUDA]

``model`` is the reference's name, followed by ``=<timm name>`` where timm 1.0.31 knows the model
under another name. Which models, precisions and memory formats are parameters depends on
``PTBENCH_*`` switches (README); each value keeps its own result series.
"""

import torch

from . import _config
from ._models.timm_catalog import CATALOG
from ._models.timm_models import ModelUnavailable
from ._tasks import TIMM_MODES, timm_points

DEVICE = _config.device()
SIZE = _config.size(DEVICE)
PRECISIONS = _config.precisions(DEVICE)
MEMORY_FORMATS = _config.memory_formats()
SHARD = _config.shard()
# A CNN, a ViT and a mobile net: the compiled models of a default CPU run (PTBENCH_COMPILE=all for every model).
CPU_COMPILE_SUBSET = ("regnety_002", "vit_base_patch16_224", "mobilenetv3_large_100")

_NAMES = _config.take_shard(CATALOG, *SHARD)
_BY_KEY = {CATALOG[name].key: name for name in _NAMES}
_COMPILE = {
    "all": list(_BY_KEY),
    "subset": [key for key, name in _BY_KEY.items() if name in CPU_COMPILE_SUBSET],
    "none": [],
}[_config.compile_selection(DEVICE)]


class _Timm:
    param_names = ["model", "mode", "precision", "memory_format", "size", "device"]
    params = [list(_BY_KEY), list(TIMM_MODES), PRECISIONS, MEMORY_FORMATS, [SIZE], [DEVICE]]
    # Bump only when the measured work changes (asv keys history by it).
    version = "1"
    compiled = False
    # Steps range from ~10 ms (small CNNs) to seconds (large ViTs at full size on CPU).
    # One step per sample; setup has run the warm-up step (timm_points.prepared).
    number = 1
    repeat = (2, 10, 2.0)
    warmup_time = 0
    rounds = 1

    def setup(self, model, mode, precision, memory_format, size, device):
        _config.check_device(DEVICE)
        try:
            self.run = timm_points.prepared(_BY_KEY[model], mode, precision, memory_format, size, device, self.compiled)
        except ModelUnavailable as e:
            raise NotImplementedError(str(e)) from e

    def time_step(self, model, mode, precision, memory_format, size, device):
        self.run()

    def peakmem_step(self, model, mode, precision, memory_format, size, device):
        self.run()


class Eager(_Timm):
    pass


class Compiled(_Timm):
    """torch.compile (inductor). The warm-up in setup compiles; recompiling later is an error."""

    params = [_COMPILE, *_Timm.params[1:]]
    compiled = True


class CompileTime:
    """Seconds from torch.compile to the end of the first step: cold (fresh process, no caches)."""

    param_names = _Timm.param_names
    params = Compiled.params
    version = "1"
    unit = "seconds"

    def setup(self, model, mode, precision, memory_format, size, device):
        _config.check_device(DEVICE)
        try:
            timm_points.workload(_BY_KEY[model], mode, precision, memory_format, size, device)
        except ModelUnavailable as e:
            raise NotImplementedError(str(e)) from e

    def track_compile_seconds(self, model, mode, precision, memory_format, size, device):
        return timm_points.cold_compile_seconds(_BY_KEY[model], mode, precision, memory_format, size, device)


class CudaPeakMemory(_Timm):
    """Peak bytes of the CUDA caching allocator during one step (model and optimizer included)."""

    unit = "bytes"

    def track_cuda_peak_bytes(self, model, mode, precision, memory_format, size, device):
        torch.cuda.reset_peak_memory_stats()
        self.run()
        return torch.cuda.max_memory_allocated()


# Offered only where it measures something: on CPU every point would be a skipped process.
if DEVICE != "cuda":
    del CudaPeakMemory
