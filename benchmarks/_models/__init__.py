"""Workloads: the nine autograd models in plain torch, and the timm catalog and models.

Which model is built by which function is registry data (``benchmarks.registry.MODELS``);
nothing heavy is imported until a workload is built.
"""

import importlib

SEED = 0


def build(builder, size, device):
    """Build the workload of ``builder`` ("module:function" in this package) from a fixed seed."""
    import torch

    module, function = builder.split(":")
    make = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    torch.manual_seed(SEED)
    return make(size, torch.device(device))
