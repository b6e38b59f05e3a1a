"""Prepared benchmark points, cached per process.

asv runs a benchmark's ``setup`` before every sample; building a model there each time would
cost more than the call. Workloads are built once per (model, size, device), vectors once per
task; each point's first call, which pays one-time costs, runs here too.
"""

import functools

import torch

from .. import _models
from . import MAX_PER_PARAMETER_TASK_PARAMS, PER_PARAMETER
from .calls import CALLS, draw_v

V_SEED = 1


@functools.cache
def workload(model, size, device):
    return _models.build(model, size, device)


@functools.cache
def vector(model, task, size, device):
    torch.manual_seed(V_SEED)
    return draw_v(task, workload(model, size, device))


def infeasible_reason(model, task, size, device):
    """Why a per-parameter task cannot run on this workload, or None."""
    if task not in PER_PARAMETER:
        return None
    count = sum(p.numel() for p in workload(model, size, device).params)
    if count <= MAX_PER_PARAMETER_TASK_PARAMS:
        return None
    return (
        f"{task} needs one pass or one output row per parameter and {model} has {count:,} "
        f"parameters (limit {MAX_PER_PARAMETER_TASK_PARAMS:,}): it cannot finish or fit"
    )


def synchronize(device):
    if device == "cuda":
        torch.cuda.synchronize()


@functools.cache
def call(model, task, backend, size, device):
    """A zero-argument callable running the point once, synchronized."""
    reason = infeasible_reason(model, task, size, device)
    if reason:
        raise NotImplementedError(reason)
    w = workload(model, size, device)
    v = vector(model, task, size, device)
    task_call = CALLS[backend][task]

    def run():
        result = task_call(w.forward, w.params, v)
        synchronize(device)
        return result

    # Untimed warm-up. asv (asv_runner 0.3) times a benchmark with a setup method at number=1
    # with no calibration or warm-up, so its first sample would carry lazy imports and first-call
    # dispatch: up to 1 s on a 2 ms call, the median when few samples fit in ``repeat``'s budget.
    run()
    return run
