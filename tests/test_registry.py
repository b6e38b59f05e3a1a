"""Model and task registries: names, skips, and that skipping needs no torch."""

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import _models, _tasks

ROOT = Path(__file__).resolve().parents[1]


def test_nine_models_ten_tasks():
    assert _models.MODELS == (
        "resnet18", "fcn_resnet", "detr", "ppl_simple_reg", "ppl_robust_reg",
        "wav2letter", "deepspeech", "transformer", "multiheadattn",
    )  # fmt: skip
    assert len(_tasks.TASKS) == 10 and set(_tasks.RECOMMENDED) == set(_models.MODELS)


def test_unknown_names_are_clear():
    with pytest.raises(KeyError, match="unknown model 'resnet19'; known models: resnet18, "):
        _models.build("resnet19", "small", "cpu")
    with pytest.raises(ValueError, match="unknown size 'tiny'; allowed sizes: small, full"):
        _models.build("resnet18", "tiny", "cpu")
    assert _tasks.skip_reason("resnet18", "vjpp").startswith("unknown task 'vjpp'; known tasks: vjp, ")


def test_skip_reasons():
    assert _tasks.skip_reason("resnet18", "vjp", "torch.func") is None
    assert "PTBENCH_SLOW=1" in _tasks.skip_reason("resnet18", "hvp", "torch.func")
    assert _tasks.skip_reason("resnet18", "hvp", "torch.func", slow=True) is None
    assert "cuDNN" in _tasks.skip_reason("deepspeech", "vhp", "autograd.functional", slow=True)
    assert "no equivalent" in _tasks.skip_reason("ppl_simple_reg", "jacobian", "torch.func")
    assert _tasks.skip_reason("ppl_simple_reg", "jacobian", "autograd.functional") is None


def test_reading_the_configuration_does_not_import_torch():
    """Tools and tests read (and reject) PTBENCH_* settings before torch loads."""
    code = (
        "import sys\n"
        "from benchmarks import _config as c, _tasks\n"
        "d = c.device(); c.size(d); c.precisions(d); c.compile_selection(d); c.shard()\n"
        "_tasks.skip_reason('resnet18', 'hessian', 'torch.func')\n"
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
