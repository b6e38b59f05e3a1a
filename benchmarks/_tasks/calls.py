"""The ten tasks through ``torch.autograd.functional`` and through ``torch.func``.

Every call has the signature ``call(f, inputs, v)``: ``f`` the workload's pure loss, ``inputs``
its parameter tuple, ``v`` the vector drawn by ``draw_v`` (None for tasks without one).
"""

import torch
import torch.func as TF
from torch.autograd import functional as AF


def _argnums(inputs):
    return tuple(range(len(inputs)))


AUTOGRAD_FUNCTIONAL = {
    "vjp": lambda f, x, v: AF.vjp(f, x, v, strict=True),
    "jvp": lambda f, x, v: AF.jvp(f, x, v, strict=True),
    "vhp": lambda f, x, v: AF.vhp(f, x, v, strict=True),
    "hvp": lambda f, x, v: AF.hvp(f, x, v, strict=True),
    "jacobian": lambda f, x, v: AF.jacobian(f, x, strict=True),
    "hessian": lambda f, x, v: AF.hessian(f, x, strict=True),
    "hessian_fwdrev": lambda f, x, v: AF.hessian(f, x, vectorize=True, outer_jacobian_strategy="forward-mode"),
    "hessian_revrev": lambda f, x, v: AF.hessian(f, x, vectorize=True),
    "jacfwd": lambda f, x, v: AF.jacobian(f, x, vectorize=True, strategy="forward-mode"),
    "jacrev": lambda f, x, v: AF.jacobian(f, x, vectorize=True),
}


def _func_vjp(f, x, v):
    out, pullback = TF.vjp(f, *x)
    return out, pullback(v)


def _func_vhp(f, x, v):
    _, pullback, value = TF.vjp(TF.grad_and_value(f, _argnums(x)), *x, has_aux=True)
    return value, pullback(v)


def _func_hvp(f, x, v):
    _, hvp, value = TF.jvp(TF.grad_and_value(f, _argnums(x)), x, v, has_aux=True)
    return value, hvp


_TORCH_FUNC = {
    "vjp": _func_vjp,
    "jvp": lambda f, x, v: TF.jvp(f, x, v),
    "vhp": _func_vhp,
    "hvp": _func_hvp,
    "hessian": lambda f, x, v: TF.hessian(f, argnums=_argnums(x))(*x),
    "hessian_fwdrev": lambda f, x, v: TF.jacfwd(TF.jacrev(f, _argnums(x)), _argnums(x))(*x),
    "hessian_revrev": lambda f, x, v: TF.jacrev(TF.jacrev(f, _argnums(x)), _argnums(x))(*x),
    "jacfwd": lambda f, x, v: TF.jacfwd(f, _argnums(x))(*x),
    "jacrev": lambda f, x, v: TF.jacrev(f, _argnums(x))(*x),
}


def _no_grad(call):
    def wrapped(f, x, v):
        with torch.no_grad():
            return call(f, x, v)

    return wrapped


# torch.func needs no autograd graph outside its transforms: the reference runs it under no_grad.
TORCH_FUNC = {task: _no_grad(call) for task, call in _TORCH_FUNC.items()}

CALLS = {"autograd.functional": AUTOGRAD_FUNCTIONAL, "torch.func": TORCH_FUNC}


def draw_v(task, workload):
    """The task's ``v``: like the output for vjp, like each input for jvp/hvp/vhp."""
    if task == "vjp":
        with torch.no_grad():
            return torch.rand_like(workload.forward(*workload.params))
    if task in ("jvp", "hvp", "vhp"):
        return tuple(torch.rand_like(p) for p in workload.params)
    return None


def leaves(result):
    """The tensors of a nested tuple result, in order."""
    if isinstance(result, torch.Tensor):
        return [result]
    return [leaf for item in result for leaf in leaves(item)]


def max_abs_diff(a, b):
    return max(float((x.detach() - y.detach()).abs().max()) for x, y in zip(leaves(a), leaves(b), strict=True))


def tolerance(task):
    """The reference's consistency tolerance between the two backends."""
    return {"rtol": 1e-5, "atol": 1e-2 if task == "vhp" else 5e-3}
