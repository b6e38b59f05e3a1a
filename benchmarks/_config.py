"""Run configuration read from ``PTBENCH_*`` environment variables.

Kept free of heavy imports: asv imports a suite module in every benchmark process, and a
point that is skipped should cost a Python start, not a ``torch`` import.
"""

import glob
import os

SIZES = ("small", "full")
DEVICES = ("cpu", "cuda")
FLAGS = ("0", "1")


class ConfigError(ValueError):
    """A ``PTBENCH_*`` variable holds a value outside its allowed set."""


def _choice(name, allowed, default):
    value = os.environ.get(name, "").strip().lower() or default
    if value not in allowed:
        raise ConfigError(f"{name}={value!r} is not valid; allowed values: {', '.join(allowed)}")
    return value


def device():
    """``PTBENCH_DEVICE``: cuda when an NVIDIA device node exists, else cpu.

    The default looks at ``/dev`` rather than asking torch, so that reading the configuration
    does not import torch; ``check_device`` confirms the choice once torch is loaded.
    """
    return _choice("PTBENCH_DEVICE", DEVICES, "cuda" if glob.glob("/dev/nvidia[0-9]*") else "cpu")


def check_device(dev):
    """Fail with one clear line when torch cannot use the configured device."""
    import torch

    if dev == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            f"PTBENCH_DEVICE resolved to cuda but torch {torch.__version__} sees no CUDA device; set PTBENCH_DEVICE=cpu"
        )


def size(dev=None):
    """``PTBENCH_SIZE``: full on CUDA (the reference sizes), small on CPU."""
    return _choice("PTBENCH_SIZE", SIZES, "full" if (dev or device()) == "cuda" else "small")


def slow():
    """``PTBENCH_SLOW=1`` adds every supported non-recommended task."""
    return _choice("PTBENCH_SLOW", FLAGS, "0") == "1"
