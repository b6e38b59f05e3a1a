"""Run configuration read from ``PTBENCH_*`` environment variables.

Kept free of heavy imports, so that tools and tests read (and reject) a configuration in
a fraction of a second, before ``torch`` loads.
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
    if dev != "cuda":
        return
    import torch

    if not torch.cuda.is_available():
        raise ConfigError(
            f"PTBENCH_DEVICE resolved to cuda but torch {torch.__version__} sees no CUDA device; set PTBENCH_DEVICE=cpu"
        )


def size(dev=None):
    """``PTBENCH_SIZE``: full on CUDA (the reference sizes), small on CPU."""
    return _choice("PTBENCH_SIZE", SIZES, "full" if (dev or device()) == "cuda" else "small")


def _list(name, allowed, default):
    raw = os.environ.get(name, "").strip().lower() or default
    values = [v.strip() for v in raw.split(",") if v.strip()]
    bad = [v for v in values if v not in allowed]
    if bad or not values:
        raise ConfigError(f"{name}={raw!r} is not valid; a comma-separated list of: {', '.join(allowed)}")
    return list(dict.fromkeys(values))


def precisions(dev):
    """``PTBENCH_PRECISIONS`` (timm): fp32 on CPU; fp32 and bf16 autocast on CUDA."""
    from ._tasks import TIMM_PRECISIONS

    return _list("PTBENCH_PRECISIONS", TIMM_PRECISIONS, "fp32" if dev == "cpu" else "fp32,amp_bf16")


def memory_formats():
    """``PTBENCH_MEMORY_FORMATS`` (timm): contiguous unless asked."""
    from ._tasks import TIMM_MEMORY_FORMATS

    return _list("PTBENCH_MEMORY_FORMATS", TIMM_MEMORY_FORMATS, "contiguous")


COMPILE_CHOICES = ("subset", "all", "none")


def compile_selection(dev):
    """``PTBENCH_COMPILE`` (timm): which models also run under torch.compile."""
    return _choice("PTBENCH_COMPILE", COMPILE_CHOICES, "subset" if dev == "cpu" else "all")


def shard():
    """``PTBENCH_SHARD=i/n``: the i-th (1-based) of n contiguous slices of the sorted model list."""
    raw = os.environ.get("PTBENCH_SHARD", "").strip() or "1/1"
    try:
        index, count = (int(part) for part in raw.split("/"))
        if not 1 <= index <= count:
            raise ValueError
    except ValueError:
        raise ConfigError(f"PTBENCH_SHARD={raw!r} is not valid; use i/n with 1 <= i <= n, e.g. 2/4") from None
    return index, count


def take_shard(names, index, count):
    """Contiguous slices whose sizes differ by at most one, in order."""
    names = sorted(names)
    start = (index - 1) * len(names) // count
    return names[start : index * len(names) // count]


def slow():
    """``PTBENCH_SLOW=1`` adds every supported non-recommended task."""
    return _choice("PTBENCH_SLOW", FLAGS, "0") == "1"
