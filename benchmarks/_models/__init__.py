"""Workload registry: each model name maps to the ``build(size, device)`` that creates it.

Adding a model is one entry here plus its module. Nothing heavy is imported until a workload
is built, so suites can read the names in processes that never touch torch.
"""

import importlib

# name -> "module:function" in this package; each returns a ``_functional.Workload``.
BUILDERS = {
    "resnet18": "resnet:build",
    "fcn_resnet": "fcn:build",
    "detr": "detr:build",
    "ppl_simple_reg": "ppl:build_simple_reg",
    "ppl_robust_reg": "ppl:build_robust_reg",
    "wav2letter": "wav2letter:build",
    "deepspeech": "deepspeech:build",
    "transformer": "transformer:build",
    "multiheadattn": "multiheadattn:build",
}
MODELS = tuple(BUILDERS)
SIZES = ("small", "full")
SEED = 0


def build(name, size, device):
    """Build workload ``name`` at ``size`` on ``device`` from a fixed seed."""
    if name not in BUILDERS:
        raise KeyError(f"unknown model {name!r}; known models: {', '.join(MODELS)}")
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; allowed sizes: {', '.join(SIZES)}")
    import torch

    module, function = BUILDERS[name].split(":")
    builder = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    torch.manual_seed(SEED)
    return builder(size, torch.device(device))
