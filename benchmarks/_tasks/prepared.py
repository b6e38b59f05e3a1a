"""Prepared autograd points, cached per process.

asv runs a benchmark's ``setup`` before every sample; building a model there each time would
cost more than the call. Workloads are built once per (model, size, device), vectors once per
task. The first, untimed call is the suite's (``benchmarks._sampling.warm_up``).
"""

import functools

import torch

from .. import _models
from ..registry import MODELS
from .calls import CALLS, draw_v

V_SEED = 1


@functools.cache
def workload(model, size, device):
    return _models.build(MODELS[model].builder, size, device)


@functools.cache
def vector(model, task, size, device):
    torch.manual_seed(V_SEED)
    return draw_v(task, workload(model, size, device))


def synchronize(device):
    if device == "cuda":
        torch.cuda.synchronize()


@functools.cache
def call(model, task, backend, size, device):
    """A zero-argument callable running the point once, synchronized."""
    w = workload(model, size, device)
    v = vector(model, task, size, device)
    task_call = CALLS[backend][task]

    def run():
        result = task_call(w.forward, w.params, v)
        synchronize(device)
        return result

    return run
