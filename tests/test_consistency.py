"""Both backends agree on every supported (model, task) at small size, and results are finite.

Tolerances are the reference's: rtol 1e-5, atol 5e-3 (1e-2 for vhp).
"""

import pytest
import torch

from benchmarks._tasks import calls, prepared
from benchmarks.registry import BACKENDS, MODELS, TASKS, autograd_reason


def runs(model, task, backend):
    """Whether the point runs at small size on CPU with every supported task (PTBENCH_SLOW=1)."""
    point = {"model": model, "task": task, "backend": backend, "size": "small", "device": "cpu"}
    return autograd_reason(point, slow=True) is None


SUPPORTED = [(model, task) for model in MODELS for task in TASKS if any(runs(model, task, b) for b in BACKENDS)]


# Measured on torch 2.11 (CPU): forward-over-reverse (torch.func) and double-backward
# (autograd.functional) hvp through BatchNorm with the statistics of a single small image
# disagree in the first convolution's block: fcn_resnet by up to 0.14 absolute, detr by up to
# 0.9 (2.8e-3 relative). Neither task is recommended for these models; strict, so a fix shows.
DISAGREE = {("fcn_resnet", "hvp"), ("detr", "hvp")}


@pytest.mark.parametrize(
    ("model", "task"),
    [
        pytest.param(*point, marks=pytest.mark.xfail(strict=True, reason="backends disagree, see DISAGREE"))
        if point in DISAGREE
        else point
        for point in SUPPORTED
    ],
)
def test_backends_agree(model, task):
    results = {
        backend: prepared.call(model, task, backend, "small", "cpu")()
        for backend in BACKENDS
        if runs(model, task, backend)
    }
    for result in results.values():
        assert all(torch.isfinite(leaf).all() for leaf in calls.leaves(result))
    if len(results) == 2:
        torch.testing.assert_close(results["torch.func"], results["autograd.functional"], **calls.tolerance(task))
    prepared.call.cache_clear()


def test_same_seed_same_loss():
    """Two builds of a workload compute the identical loss: runs are comparable."""
    first = prepared.workload("resnet18", "small", "cpu")
    loss = first.forward(*first.params)
    prepared.workload.cache_clear()
    second = prepared.workload("resnet18", "small", "cpu")
    assert torch.equal(second.forward(*second.params), loss)
