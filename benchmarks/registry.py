"""Every fact about what the suites measure, as data: models, tasks, and the rules that say why a
point cannot run. No torch import.

Suites take their parameters from here, ``points`` derives each point's status and skip reason,
the run selection and the README's tables follow, and tests check the facts against the code.
Adding an autograd model is one ``Model`` entry plus its module in ``_models``; a timm model is
one row of ``_models/timm_catalog.py``.
"""

from dataclasses import dataclass, field

from ._models.timm_catalog import CATALOG as TIMM_CATALOG

SIZES = ("small", "full")
DEVICES = ("cpu", "cuda")

# --- autograd functional API -------------------------------------------------------------------

BACKENDS = ("autograd.functional", "torch.func")
FAST = ("vjp", "jvp", "vhp")
NON_VECTORIZED = FAST + ("hvp", "jacobian", "hessian")
VECTORIZED = ("hessian_fwdrev", "hessian_revrev", "jacfwd", "jacrev")
TASKS = NON_VECTORIZED + VECTORIZED
DOUBLE_BACKWARD = ("jvp", "hvp", "vhp", "hessian")

# Tasks whose cost or output grows with the parameter count: one pass, or one output row, per
# parameter. Beyond this many parameters they cannot finish or fit.
PER_PARAMETER = ("jacfwd", "hessian", "hessian_fwdrev", "hessian_revrev")
MAX_PER_PARAMETER_TASK_PARAMS = 100_000


@dataclass(frozen=True)
class Rule:
    """A root cause that rules out the points it matches.

    ``when`` maps parameter names to the values the rule covers (a name it leaves out matches any
    value). ``torch`` and ``python`` are version specifiers ("<2.1"): the rule holds only for those
    versions, so a point can be n/a on old releases and run on new ones; an unknown version (the
    settings alone, before a torch is installed) matches no versioned rule.
    """

    reason: str
    when: dict = field(default_factory=dict)
    torch: str = None
    python: str = None

    def matches(self, point, torch_version=None, python_version=None):
        return (
            all(point.get(name) in values for name, values in self.when.items())
            and _in(self.torch, torch_version)
            and _in(self.python, python_version)
        )


def _in(specifier, version):
    if specifier is None:
        return True
    if version is None:
        return False
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    return Version(Version(version).base_version) in SpecifierSet(specifier)


@dataclass(frozen=True)
class Model:
    """One autograd workload: how it is built and which tasks it runs."""

    builder: str  # "module:function" in benchmarks._models, returning a _functional.Workload
    parameters: int  # trainable parameter count (both sizes keep the architecture)
    recommended: tuple  # the tasks the reference runs by default
    rules: tuple = ()  # model-specific root causes
    # Kilobyte-sized tensors: a process's peak memory would be torch's own footprint.
    baseline_memory: bool = False


# Rules that hold for every model.
TASK_RULES = (
    Rule(
        "torch.func has no equivalent of autograd.functional.jacobian(vectorize=False); its "
        "vectorized jacobians are the jacfwd and jacrev tasks",
        when={"task": ("jacobian",), "backend": ("torch.func",)},
    ),
)

MODELS = {
    "resnet18": Model("resnet:build", 11_689_512, FAST),
    "fcn_resnet": Model("fcn:build", 32_957_013, FAST),
    "detr": Model(
        "detr:build",
        41_459_616,
        FAST,
        rules=(
            Rule(
                "torch.func cannot run DETR's matcher before torch 2.10: its functorch wrappers cannot "
                "be read with tolist() ('Cannot access data pointer of Tensor that doesn't have storage')",
                when={"backend": ("torch.func",)},
                torch="<2.10",
            ),
        ),
    ),
    "ppl_simple_reg": Model("ppl:build_simple_reg", 11, TASKS, baseline_memory=True),
    "ppl_robust_reg": Model("ppl:build_robust_reg", 1 + 10 + 11, TASKS, baseline_memory=True),
    "wav2letter": Model("wav2letter:build", 26_187_278, FAST),
    "deepspeech": Model(
        "deepspeech:build",
        86_598_944,
        ("vjp",),
        rules=(
            Rule(
                "deepspeech's LSTM runs on cuDNN on CUDA, whose backward has no derivative, so the "
                "reference never runs its double-backward tasks (jvp, hvp, vhp, hessian), on any device",
                when={"task": DOUBLE_BACKWARD},
            ),
        ),
    ),
    "transformer": Model("transformer:build", 10_134_546, FAST),
    "multiheadattn": Model(
        "multiheadattn:build",
        400,
        FAST,
        rules=(
            Rule(
                "the loss is linear in the output projection, so that Hessian block does not depend on "
                "the input and autograd.functional.hessian(strict=True) refuses it",
                when={"task": ("hessian",), "backend": ("autograd.functional",)},
            ),
        ),
        baseline_memory=True,
    ),
}


def autograd_reason(point, slow, torch_version=None, python_version=None):
    """Why an autograd point ({model, task, backend, device, ...}) does not run, or None.

    ``slow``: run every supported task, not only the recommended ones.
    """
    model, task = point["model"], point["task"]
    entry = MODELS[model]
    for rule in entry.rules + TASK_RULES:
        if rule.matches(point, torch_version, python_version):
            return rule.reason
    if task in PER_PARAMETER and entry.parameters > MAX_PER_PARAMETER_TASK_PARAMS:
        return (
            f"{task} needs one pass or one output row per parameter and {model} has {entry.parameters:,} "
            f"parameters (limit {MAX_PER_PARAMETER_TASK_PARAMS:,}): it cannot finish or fit"
        )
    if not slow and task not in entry.recommended:
        return f"{task} is not a recommended task for {model}; PTBENCH_SLOW=1 runs it"
    return None


# --- timm models ---------------------------------------------------------------------------------

TIMM_MODES = ("inference", "training")
TIMM_PRECISIONS = ("fp32", "bf16", "amp_bf16", "amp_fp16")
TIMM_MEMORY_FORMATS = ("contiguous", "channels_last")
# The benchmark parameter of each catalog row: its name, and timm's current one where it differs.
TIMM_KEYS = {entry.key: name for name, entry in TIMM_CATALOG.items()}
# A CNN, a ViT and a mobile net: the compiled models of a default CPU run.
COMPILE_SUBSET = ("regnety_002", "vit_base_patch16_224", "mobilenetv3_large_100")

TIMM_RULES = (
    Rule(
        "amp_fp16 (fp16 autocast with grad scaling) runs on CUDA only",
        when={"precision": ("amp_fp16",), "device": ("cpu",)},
    ),
)
COMPILE_RULES = (
    Rule(
        "torch 2.0's torch.compile does not support Python 3.11 or newer (dynamo supports 3.11 from torch 2.1)",
        torch="<2.1",
        python=">=3.11",
    ),
)


def timm_reason(point, compiled=False, torch_version=None, python_version=None):
    """Why a timm point ({model, mode, precision, ...}) does not run, or None."""
    for rule in TIMM_RULES + (COMPILE_RULES if compiled else ()):
        if rule.matches(point, torch_version, python_version):
            return rule.reason
    return None
