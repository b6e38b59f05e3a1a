"""What the timm suite times: an inference forward and a training step, eager or compiled."""

import contextlib
from dataclasses import dataclass

import torch

from ..registry import TIMM_PRECISIONS


@dataclass(frozen=True)
class Precision:
    cast: torch.dtype  # dtype of weights and inputs
    autocast: torch.dtype | None  # autocast dtype, or None
    grad_scaling: bool


def precision(name, entry, device):
    """The reference's precision modes; models in its force-AMP set autocast instead of casting."""
    if name == "fp32":
        return Precision(torch.float32, None, False)
    if name == "bf16":
        if entry.force_amp:
            return Precision(torch.float32, torch.bfloat16, False)
        return Precision(torch.bfloat16, None, False)
    if name == "amp_bf16":
        return Precision(torch.float32, torch.bfloat16, False)
    if name == "amp_fp16":  # CUDA only (benchmarks.registry.TIMM_RULES)
        return Precision(torch.float32, torch.float16, True)
    raise ValueError(f"unknown precision {name!r}; allowed: {', '.join(TIMM_PRECISIONS)}")


def _autocast(prec, device):
    if prec.autocast is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device, dtype=prec.autocast)


def scalar_loss(pred, entry):
    """The reference's training loss: the mean of the output (divided by 1000 for some models)."""
    if isinstance(pred, tuple):
        pred = pred[0]
    return pred.sum() / pred.numel() / entry.loss_divisor


def inference(model, workload, prec, device):
    def run():
        with torch.no_grad(), _autocast(prec, device):
            return model(workload.inputs)

    return run


def _grad_scaler(device):
    """torch.amp.GradScaler(device), which torch before 2.3 has as torch.cuda.amp.GradScaler."""
    if hasattr(torch.amp, "GradScaler"):
        return torch.amp.GradScaler(device)
    return torch.cuda.amp.GradScaler()


def training(model, workload, prec, device):
    """Zero grads, forward (under autocast), loss, backward (through a grad scaler), SGD step."""
    optimizer = torch.optim.SGD(workload.model.parameters(), lr=0.01)
    scaler = _grad_scaler(device) if prec.grad_scaling else None

    def run():
        optimizer.zero_grad(set_to_none=True)
        with _autocast(prec, device):
            loss = scalar_loss(model(workload.inputs), workload.entry)
        if scaler is None:
            loss.backward()
            optimizer.step()
        else:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        return loss

    return run


STEPS = {"inference": inference, "training": training}
