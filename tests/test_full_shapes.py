"""At full size every workload has the reference's input and parameter shapes.

Built on the meta device (shapes without memory or compute) except the three tiny models,
whose distributions validate their arguments and so need real values.
"""

import pytest
import torch

from benchmarks import _models
from benchmarks.registry import MODELS

# name -> input shapes at the reference's (full) size; parameter counts are registry facts
FULL = {
    "resnet18": {"inputs": (32, 3, 224, 224), "labels": (32,)},
    "fcn_resnet": {"inputs": (8, 3, 480, 480), "target": (8, 21, 480, 480)},
    "detr": {"inputs": (2, 3, 800, 1200)},
    "ppl_simple_reg": {"X": (10, 11), "Y": (10, 1)},
    "ppl_robust_reg": {"X": (10, 11), "Y": (10, 1)},
    "wav2letter": {"inputs": (10, 1, 700), "labels": (10, 3)},
    "deepspeech": {"inputs": (10, 1, 161, 500), "input_sizes": (10,), "targets": (10, 10), "target_sizes": (10,)},
    "transformer": {"data": (64, 129), "inputs": (64, 128), "targets": (64, 128)},
    "multiheadattn": {"query": (6, 64, 10), "key": (10, 64, 10), "attn_mask": (320, 6, 10), "bias_k": (1, 320, 2)},
}
TINY = ("ppl_simple_reg", "ppl_robust_reg", "multiheadattn")
PARAM_SHAPES = {
    "ppl_simple_reg": [(11, 1)],
    "ppl_robust_reg": [(1, 1), (10, 1), (11, 1)],
    "multiheadattn": [(10, 10)] * 4,
}


def build(name, size, device):
    return _models.build(MODELS[name].builder, size, device)


@pytest.mark.parametrize("name", list(MODELS))
def test_full_size_shapes(name):
    inputs = FULL[name]
    w = build(name, "full", "cpu" if name in TINY else "meta")
    assert {k: tuple(w.inputs[k].shape) for k in inputs} == inputs
    assert sum(p.numel() for p in w.params) == MODELS[name].parameters
    assert all(p.requires_grad and not isinstance(p, torch.nn.Parameter) for p in w.params)
    if name in PARAM_SHAPES:
        assert [tuple(p.shape) for p in w.params] == PARAM_SHAPES[name]


def test_detr_targets():
    targets = build("detr", "full", "meta").inputs["targets"]
    assert len(targets) == 2 and all(5 <= len(t["labels"]) <= 9 for t in targets)
    cpu_targets = build("detr", "small", "cpu").inputs["targets"]
    for t in cpu_targets:
        boxes = t["boxes"]
        assert boxes.dtype == torch.float32 and (boxes[:, 2:] >= boxes[:, :2]).all()
        assert ((boxes >= 100) & (boxes < 800)).all() and ((t["labels"] >= 5) & (t["labels"] < 10)).all()


def test_deepspeech_input_lengths_at_full_size():
    sizes = build("deepspeech", "full", "cpu").inputs["input_sizes"]
    assert ((sizes >= 400) & (sizes <= 450)).all()
