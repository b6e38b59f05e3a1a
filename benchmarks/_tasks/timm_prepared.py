"""Prepared timm benchmark points, cached per process (asv calls setup before every sample)."""

import functools
import os
import shutil
import tempfile
import time

import torch

from .._models import timm_models
from .._models.timm_catalog import CATALOG
from .prepared import synchronize
from .timm_steps import STEPS, precision


@functools.cache
def workload(name, mode, precision_name, memory_format, size, device):
    prec = precision(precision_name, CATALOG[name], device)
    w = timm_models.create(
        name, size, device, training=mode == "training", channels_last=memory_format == "channels_last", dtype=prec.cast
    )
    return w, prec


def _step(name, mode, precision_name, memory_format, size, device, compiled):
    w, prec = workload(name, mode, precision_name, memory_format, size, device)
    model = torch.compile(w.model) if compiled else w.model
    return STEPS[mode](model, w, prec, device)


@functools.cache
def step(name, mode, precision_name, memory_format, size, device, compiled=False):
    """A zero-argument callable running one step, synchronized; ``compiled``: through torch.compile
    (inductor), which compiles on the first call."""
    run = _step(name, mode, precision_name, memory_format, size, device, compiled)

    def timed():
        run()
        synchronize(device)

    return timed


def forbid_recompiles():
    """After a compiled step's first call: a recompilation between samples would be timed as a
    step, so make it an error."""
    torch._dynamo.config.error_on_recompile = True


def cold_compile_seconds(name, mode, precision_name, memory_format, size, device):
    """Seconds from torch.compile to the end of the first step, with inductor's caches cold: an
    empty cache directory (every torch release reads TORCHINDUCTOR_CACHE_DIR), and the caches
    turned off where the release has the switch (``force_disable_caches``)."""
    cache = tempfile.mkdtemp(prefix="ptbench-cold-compile-")
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache
    if hasattr(torch._inductor.config, "force_disable_caches"):
        torch._inductor.config.force_disable_caches = True
    try:
        run = _step(name, mode, precision_name, memory_format, size, device, compiled=True)
        start = time.perf_counter()
        run()
        synchronize(device)
        return time.perf_counter() - start
    finally:
        # asv ends its benchmark processes without running atexit handlers.
        shutil.rmtree(cache, ignore_errors=True)
