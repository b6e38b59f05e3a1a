"""The run's settings, read from ``PTBENCH_*`` environment variables: which points run.

They never change a benchmark's parameters (those are static, ``points``), only which points are
measured. Kept free of heavy imports, so that tools, asv's plugin and tests read (and reject) the
settings in a fraction of a second, before ``torch`` loads.
"""

import glob
import os
from dataclasses import dataclass

from .registry import COMPILE_SUBSET, DEVICES, SIZES, TIMM_MEMORY_FORMATS, TIMM_PRECISIONS

FLAGS = ("0", "1")
COMPILE_CHOICES = ("subset", "all", "none")


class ConfigError(ValueError):
    """A ``PTBENCH_*`` variable holds a value outside its allowed set."""


def _raw(name, default):
    return os.environ.get(name, "").strip().lower() or default


def _choice(name, allowed, default):
    value = _raw(name, default)
    if value not in allowed:
        raise ConfigError(f"{name}={value!r} is not valid; allowed values: {', '.join(allowed)}")
    return value


def _list(name, allowed, default):
    raw = _raw(name, default)
    values = [v.strip() for v in raw.split(",") if v.strip()]
    if not values or any(v not in allowed for v in values):
        raise ConfigError(f"{name}={raw!r} is not valid; a comma-separated list of: {', '.join(allowed)}")
    return tuple(dict.fromkeys(values))


def _shard():
    raw = _raw("PTBENCH_SHARD", "1/1")
    try:
        index, count = (int(part) for part in raw.split("/"))
        if not 1 <= index <= count:
            raise ValueError
    except ValueError:
        raise ConfigError(f"PTBENCH_SHARD={raw!r} is not valid; use i/n with 1 <= i <= n, e.g. 2/4") from None
    return index, count


def has_nvidia_gpu():
    """An NVIDIA device node exists (looked up in /dev, so no torch import is needed)."""
    return bool(glob.glob("/dev/nvidia[0-9]*"))


@dataclass(frozen=True)
class Settings:
    device: str  # PTBENCH_DEVICE: cuda when an NVIDIA device node exists, else cpu
    size: str  # PTBENCH_SIZE: full (the reference's sizes) on CUDA, small on CPU
    slow: bool  # PTBENCH_SLOW=1: every supported task, not only the recommended ones
    precisions: tuple  # PTBENCH_PRECISIONS (timm): fp32 on CPU; fp32 and bf16 autocast on CUDA
    memory_formats: tuple  # PTBENCH_MEMORY_FORMATS (timm)
    compile: str  # PTBENCH_COMPILE (timm): which models also run under torch.compile
    shard: tuple  # PTBENCH_SHARD=i/n (timm): the i-th of n contiguous slices of the sorted model list

    @classmethod
    def from_env(cls):
        """The settings of this process's environment; ConfigError names a bad value's allowed set."""
        device = _choice("PTBENCH_DEVICE", DEVICES, "cuda" if has_nvidia_gpu() else "cpu")
        return cls(
            device=device,
            size=_choice("PTBENCH_SIZE", SIZES, "full" if device == "cuda" else "small"),
            slow=_choice("PTBENCH_SLOW", FLAGS, "0") == "1",
            precisions=_list("PTBENCH_PRECISIONS", TIMM_PRECISIONS, "fp32" if device == "cpu" else "fp32,amp_bf16"),
            memory_formats=_list("PTBENCH_MEMORY_FORMATS", TIMM_MEMORY_FORMATS, "contiguous"),
            compile=_choice("PTBENCH_COMPILE", COMPILE_CHOICES, "subset" if device == "cpu" else "all"),
            shard=_shard(),
        )

    def check_machine(self):
        """Refuse a device this machine lacks (the values themselves were checked on reading)."""
        if self.device == "cuda" and not has_nvidia_gpu():
            raise ConfigError(
                "PTBENCH_DEVICE=cuda but this machine has no NVIDIA GPU (no /dev/nvidia0); use PTBENCH_DEVICE=cpu"
            )

    def describe(self):
        """One line for logs: the settings that choose the points."""
        shard = "/".join(map(str, self.shard))
        return (
            f"device {self.device}, size {self.size}, slow {int(self.slow)}, precisions {','.join(self.precisions)}, "
            f"memory formats {','.join(self.memory_formats)}, compile {self.compile}, shard {shard}"
        )

    def compiled_models(self, names):
        """The timm models (reference names) compiled in this run."""
        if self.compile == "all":
            return set(names)
        return set(COMPILE_SUBSET) & set(names) if self.compile == "subset" else set()


def take_shard(names, index, count):
    """Contiguous slices whose sizes differ by at most one, in order."""
    names = sorted(names)
    start = (index - 1) * len(names) // count
    return names[start : index * len(names) // count]


def check_device(dev):
    """Fail with one clear line when torch cannot use the configured device."""
    if dev != "cuda":
        return
    import torch

    if not torch.cuda.is_available():
        raise ConfigError(
            f"PTBENCH_DEVICE=cuda but torch {torch.__version__} sees no CUDA device; set PTBENCH_DEVICE=cpu"
        )
