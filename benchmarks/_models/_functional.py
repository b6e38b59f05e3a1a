"""Turn an ``nn.Module`` plus fixed inputs into a pure function of its parameters."""

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.func import functional_call, replace_all_batch_norm_modules_


@dataclass
class Workload:
    """``forward(*params)`` returns a scalar loss computed on ``inputs``, drawn once."""

    forward: Callable[..., torch.Tensor]
    params: tuple[torch.Tensor, ...]
    inputs: dict


def functionalize(module, loss, device, inputs):
    """Strip ``module``'s parameters into plain leaf tensors and return the pure loss function.

    ``loss(call)`` computes the loss, where ``call(*args)`` runs ``module`` with the parameters
    being differentiated. BatchNorm keeps no running statistics (torch.func cannot update
    them) and so normalizes with batch statistics in either mode. The module stays in the mode
    its builder chose: eval where dropout must be off so both backends compute one function.
    """
    replace_all_batch_norm_modules_(module)
    module.to(device)
    names = [name for name, _ in module.named_parameters()]
    # detach() shares storage: the workload holds one copy of the weights, not two.
    params = tuple(p.detach().requires_grad_(True) for _, p in module.named_parameters())

    def forward(*new_params):
        state = dict(zip(names, new_params, strict=True))
        return loss(lambda *args: functional_call(module, state, args))

    return Workload(forward, params, inputs)
