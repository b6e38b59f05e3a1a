"""PTBENCH_* parsing: defaults, and one clear line for a bad value."""

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import _config

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [("PTBENCH_SIZE", "huge", "small, full"), ("PTBENCH_DEVICE", "tpu", "cpu, cuda"), ("PTBENCH_SLOW", "yes", "0, 1")],
)
def test_bad_value_names_allowed_values(monkeypatch, name, value, allowed):
    monkeypatch.setenv(name, value)
    with pytest.raises(_config.ConfigError, match=f"{name}='{value}' is not valid; allowed values: {allowed}"):
        _config.size() if name == "PTBENCH_SIZE" else _config.device() if name == "PTBENCH_DEVICE" else _config.slow()


def test_defaults_follow_device(monkeypatch):
    for name in ("PTBENCH_SIZE", "PTBENCH_DEVICE", "PTBENCH_SLOW"):
        monkeypatch.delenv(name, raising=False)
    assert _config.size("cpu") == "small"
    assert _config.size("cuda") == "full"
    assert _config.slow() is False
    monkeypatch.setenv("PTBENCH_SIZE", "FULL")
    assert _config.size("cpu") == "full"


def test_cuda_without_gpu_is_refused():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(_config.ConfigError, match="set PTBENCH_DEVICE=cpu"):
        _config.check_device("cuda")


def test_suite_import_fails_with_the_message():
    """asv imports the suite module: a bad value must surface as the last line of the error."""
    env = {"PTBENCH_SIZE": "medium", "PATH": ""}
    proc = subprocess.run(
        [sys.executable, "-c", "import benchmarks.autograd_functional"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[-1] == (
        "benchmarks._config.ConfigError: PTBENCH_SIZE='medium' is not valid; allowed values: small, full"
    )
