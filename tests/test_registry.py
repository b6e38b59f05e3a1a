"""The registry: the facts, their derived skip reasons, and that reading them needs no torch."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import registry
from benchmarks.registry import MODELS, autograd_reason

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "benchmarks" / "_models"
# Helpers of the workload modules: no model of their own.
NOT_MODELS = {"__init__", "_functional", "attention", "timm_catalog", "timm_models"}


def point(model, task, backend="torch.func", device="cpu", size="small"):
    return {"model": model, "task": task, "backend": backend, "device": device, "size": size}


def test_nine_models_ten_tasks():
    assert tuple(MODELS) == (
        "resnet18", "fcn_resnet", "detr", "ppl_simple_reg", "ppl_robust_reg",
        "wav2letter", "deepspeech", "transformer", "multiheadattn",
    )  # fmt: skip
    assert len(registry.TASKS) == 10


def _builders(path):
    """Public ``build*`` functions of a workload module."""
    tree = ast.parse(path.read_text())
    return {f"{path.stem}:{n.name}" for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("build")}


def test_every_model_module_has_a_registry_entry():
    """A model added to _models without its registry entry would never be benchmarked."""
    defined = set().union(*(_builders(p) for p in MODULES.glob("*.py") if p.stem not in NOT_MODELS))
    registered = {entry.builder for entry in MODELS.values()}
    assert defined == registered, f"builders without an entry: {sorted(defined - registered)}"


def test_skip_reasons():
    assert autograd_reason(point("resnet18", "vjp"), slow=False) is None
    assert "PTBENCH_SLOW=1" in autograd_reason(point("resnet18", "hvp"), slow=False)
    assert autograd_reason(point("resnet18", "hvp"), slow=True) is None
    assert "11,689,512 parameters" in autograd_reason(point("resnet18", "jacfwd"), slow=True)
    assert "cuDNN" in autograd_reason(point("deepspeech", "vhp", "autograd.functional"), slow=True)
    assert "no equivalent" in autograd_reason(point("ppl_simple_reg", "jacobian"), slow=False)
    assert autograd_reason(point("ppl_simple_reg", "jacobian", "autograd.functional"), slow=False) is None
    assert "strict=True" in autograd_reason(point("multiheadattn", "hessian", "autograd.functional"), slow=True)


def test_version_rules_hold_only_for_their_releases():
    detr = point("detr", "vjp")
    assert "before torch 2.10" in autograd_reason(detr, slow=False, torch_version="2.9.1")
    assert autograd_reason(detr, slow=False, torch_version="2.10.0") is None
    assert autograd_reason(detr, slow=False) is None  # an unknown torch matches no versioned rule
    compiled = {"model": "regnety_002", "precision": "fp32", "device": "cpu"}
    assert "Python 3.11" in registry.timm_reason(compiled, True, "2.0.1+cu117", "3.11.7")
    assert registry.timm_reason(compiled, True, "2.0.1", "3.10.13") is None
    assert registry.timm_reason(compiled, True, "2.1.2", "3.11.7") is None


@pytest.mark.parametrize("name", list(MODELS))
def test_registered_parameter_count_is_the_workloads(name):
    """The count that rules out per-parameter tasks is the built model's (meta device: no memory)."""
    torch = pytest.importorskip("torch")
    from benchmarks import _models

    device = "cpu" if MODELS[name].baseline_memory else "meta"  # the tiny ones validate real values
    w = _models.build(MODELS[name].builder, "small", device)
    assert sum(p.numel() for p in w.params) == MODELS[name].parameters
    assert all(p.requires_grad and not isinstance(p, torch.nn.Parameter) for p in w.params)


def test_reading_the_registry_and_settings_does_not_import_torch():
    """Tools, asv's plugin and tests read (and reject) settings and points before torch loads."""
    code = (
        "import sys\n"
        "from benchmarks import points\n"
        "from benchmarks._config import Settings\n"
        "s = Settings.from_env(); points.running_suites(s)\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PTBENCH_DEVICE": "cpu"},
        cwd=ROOT,
    )
    assert out.stdout.strip() == "False"
