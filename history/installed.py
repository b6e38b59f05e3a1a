"""Under which asv configuration and "commit" the installed torch is recorded.

    python -m history.installed     # prints "RUN_CONFIG PUBLISH_CONFIG HASH", or exits saying what is missing

A release (``2.14.1``, whatever its local build tag such as ``+cu130``) is recorded under that
release, in a variant of asv.conf.json. Any other build (a nightly, a source build) is recorded
under the PyTorch commit it was built from, ``torch.version.git_version``, in a variant of
asv.pytorch.json for the checkout in ``PTBENCH_PYTORCH_REPO``, which must contain that commit.
The run's variant has that release or commit as its only branch, so asv names the torch it
measures (with the default branch it would name the newest release on the index); the dashboard
is published from the configuration itself.
"""

import os
import subprocess
from pathlib import Path

from packaging.version import Version

from .configure import variant, write

ROOT = Path(__file__).resolve().parents[1]
CLONE = "git clone --filter=blob:none https://github.com/pytorch/pytorch.git"


def resolve(torch_version, git_version, checkout=None):
    version = Version(torch_version)
    if not (version.is_prerelease or version.is_devrelease):
        path = write(variant(ROOT / "asv.conf.json", branches=[version.public]), ROOT / "asv.installed.local.json")
        return str(path), str(ROOT / "asv.conf.json"), version.public
    if not git_version or git_version == "Unknown":
        raise SystemExit(f"torch {torch_version} records no commit (torch.version.git_version): no place in history")
    if not checkout:
        raise SystemExit(
            f"torch {torch_version} is a build of PyTorch commit {git_version[:12]}, not a release. To record it, "
            f"point PTBENCH_PYTORCH_REPO at a PyTorch checkout that contains the commit (a quick one: {CLONE})"
        )
    found = subprocess.run(["git", "-C", checkout, "cat-file", "-e", f"{git_version}^{{commit}}"], capture_output=True)
    if found.returncode != 0:
        raise SystemExit(f"PTBENCH_PYTORCH_REPO={checkout} lacks commit {git_version[:12]}; git fetch it there")
    path = write(
        variant(ROOT / "asv.pytorch.json", repo=checkout, branches=[git_version]),
        ROOT / "asv.pytorch.installed.local.json",
    )
    # Published from the run's variant: its branch, the commit, reaches every earlier commit measured.
    return str(path), str(path), git_version


if __name__ == "__main__":
    import torch

    print(*resolve(torch.__version__, torch.version.git_version, os.environ.get("PTBENCH_PYTORCH_REPO")))
