"""What is timed: the ten tasks, the two backends, and which (model, task) points run.

Plain data, no torch (the configuration reads it). The calls themselves are in ``calls``.
"""

BACKENDS = ("autograd.functional", "torch.func")

FAST = ("vjp", "jvp", "vhp")
NON_VECTORIZED = FAST + ("hvp", "jacobian", "hessian")
VECTORIZED = ("hessian_fwdrev", "hessian_revrev", "jacfwd", "jacrev")
TASKS = NON_VECTORIZED + VECTORIZED
DOUBLE_BACKWARD = ("jvp", "hvp", "vhp", "hessian")

# Tasks whose cost or output grows with the parameter count: one pass, or one output row,
# per parameter. Beyond MAX_PER_PARAMETER_TASK_PARAMS they cannot finish or fit.
PER_PARAMETER = ("jacfwd", "hessian", "hessian_fwdrev", "hessian_revrev")
MAX_PER_PARAMETER_TASK_PARAMS = 100_000

# Workloads of a few kilobytes: a process's peak memory is torch's own footprint, not theirs.
BASELINE_MEMORY_MODELS = ("ppl_simple_reg", "ppl_robust_reg", "multiheadattn")

RECOMMENDED = {
    "resnet18": FAST,
    "fcn_resnet": FAST,
    "detr": FAST,
    "ppl_simple_reg": TASKS,
    "ppl_robust_reg": TASKS,
    "wav2letter": FAST,
    "deepspeech": ("vjp",),
    "transformer": FAST,
    "multiheadattn": FAST,
}

_CUDNN_RNN = (
    "deepspeech's LSTM runs on cuDNN on CUDA, whose backward has no derivative, so "
    "double-backward tasks (jvp, hvp, vhp, hessian) are unsupported, on every device for one series"
)
# (model, task, backend) -> root cause; None matches any model or backend.
UNSUPPORTED = {
    **{("deepspeech", task, None): _CUDNN_RNN for task in DOUBLE_BACKWARD},
    (None, "jacobian", "torch.func"): (
        "torch.func has no equivalent of autograd.functional.jacobian(vectorize=False); "
        "its vectorized jacobians are the jacfwd and jacrev tasks"
    ),
    ("multiheadattn", "hessian", "autograd.functional"): (
        "the loss is linear in the output projection, so that Hessian block does not depend on "
        "the input and autograd.functional.hessian(strict=True) refuses it"
    ),
}


def skip_reason(model, task, backend=None, slow=False):
    """Why the point does not run, or None when it does. Needs no torch."""
    if task not in TASKS:
        return f"unknown task {task!r}; known tasks: {', '.join(TASKS)}"
    for key in ((model, task, backend), (model, task, None), (None, task, backend)):
        if key in UNSUPPORTED:
            return UNSUPPORTED[key]
    if not slow and task not in RECOMMENDED[model]:
        return f"{task} is not a recommended task for {model}; PTBENCH_SLOW=1 runs it"
    return None


# timm suite: the variants a step can run in (calls in ``timm_steps``).
TIMM_MODES = ("inference", "training")
TIMM_PRECISIONS = ("fp32", "bf16", "amp_bf16", "amp_fp16")
TIMM_MEMORY_FORMATS = ("contiguous", "channels_last")
