"""Prepared timm benchmark points, cached per process (asv calls setup before every sample)."""

import functools
import time

import torch

from .._models import timm_models
from .points import synchronize
from .timm_steps import STEPS, precision


@functools.cache
def workload(name, mode, precision_name, memory_format, size, device):
    from .._models.timm_catalog import CATALOG

    prec = precision(precision_name, CATALOG[name], device)
    w = timm_models.create(
        name, size, device, training=mode == "training", channels_last=memory_format == "channels_last", dtype=prec.cast
    )
    return w, prec


def step(name, mode, precision_name, memory_format, size, device, compiled):
    """An un-warmed callable for one step; ``compiled`` wraps the model in torch.compile (inductor)."""
    w, prec = workload(name, mode, precision_name, memory_format, size, device)
    model = torch.compile(w.model) if compiled else w.model
    return STEPS[mode](model, w, prec, device)


@functools.cache
def prepared(name, mode, precision_name, memory_format, size, device, compiled=False):
    """A zero-argument callable running one step, synchronized.

    A first step runs here, untimed: it compiles a compiled model, creates the optimizer's state
    and grows the allocator, none of which belongs to a step (asv times its first sample).
    """
    run = step(name, mode, precision_name, memory_format, size, device, compiled)

    def timed():
        run()
        synchronize(device)

    timed()
    if compiled:
        # A recompilation between samples would be timed as a step: make it an error instead.
        torch._dynamo.config.error_on_recompile = True
    return timed


def cold_compile_seconds(name, mode, precision_name, memory_format, size, device):
    """Seconds from torch.compile to the end of the first step, with inductor's caches off."""
    torch._inductor.config.force_disable_caches = True
    run = step(name, mode, precision_name, memory_format, size, device, compiled=True)
    start = time.perf_counter()
    run()
    synchronize(device)
    return time.perf_counter() - start
