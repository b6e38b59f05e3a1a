"""Install the torch under test into an asv environment, with the packages that go with it.

    python history/install_torch.py release 2.10.0       # torch==2.10.0 from the package index
    python history/install_torch.py wheel dist/torch-....whl

Runs in the environment's Python (asv's install_command). After torch:
- torchvision: timm imports it, and its compiled ops must match the torch under test. A release
  pairs with torchvision 0.(minor+15).patch (2.11.0 with 0.26.0). A source build of an unreleased
  torch has no such release: set PTBENCH_TORCHVISION to what pip should install instead (a
  torchvision wheel or checkout built against that torch; a checkout is built here).
- torchaudio of the same version, where the index has one (the suites never import it).
- timm and scipy at the versions pinned in requirements.txt, without letting pip move torch.
Then torch, torchvision's compiled ops and timm are imported once; a mismatch stops here.
"""

import importlib.metadata
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
COMPANION_PINS = ("timm", "scipy")  # from requirements.txt
CHECK = """
import torch, torchvision, timm
torchvision.ops.nms(torch.zeros(1, 4), torch.zeros(1), 0.5)
git = torch.version.git_version[:12]
print(f"torch {torch.__version__} ({git}), torchvision {torchvision.__version__}, timm {timm.__version__}")
"""


class InstallError(RuntimeError):
    pass


def pip(*args):
    print("+ pip install", " ".join(args), flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *args], check=True)


def available(package, version):
    """Whether the package index has ``package==version``."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "--disable-pip-version-check", package],
        capture_output=True,
        text=True,
    ).stdout
    listed = out.partition("Available versions:")[2].splitlines()[:1]
    return version in [v.strip() for v in "".join(listed).split(",")]


def paired_torchvision(torch_version):
    v = Version(torch_version)
    if v.major != 2:
        raise InstallError(f"no torchvision pairing known for torch {torch_version}; set PTBENCH_TORCHVISION")
    return f"0.{v.minor + 15}.{v.micro}"


def pins(names):
    """``name==version`` lines of requirements.txt for ``names``."""
    found = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, sep, version = line.partition("==")
        if sep and name.strip() in names:
            found[name.strip()] = f"{name.strip()}=={version.strip()}"
    return [found[n] for n in names]


def install(kind, what):
    if kind == "release":
        pip(f"torch=={what}")
    elif kind == "wheel":
        if not os.path.isfile(what):
            raise InstallError(f"no torch wheel at {what}")
        pip(what)
    else:
        raise InstallError(f"unknown kind {kind!r}; use 'release' or 'wheel'")
    torch_version = importlib.metadata.version("torch")
    base = Version(torch_version).base_version
    print(f"== torch {torch_version} installed", flush=True)

    override = os.environ.get("PTBENCH_TORCHVISION")
    if override:
        # A checkout is built against the torch just installed, hence no build isolation.
        pip("--no-deps", "--no-build-isolation", override)
    else:
        vision = paired_torchvision(base)
        if Version(torch_version).is_prerelease or not available("torchvision", vision):
            raise InstallError(
                f"torch {torch_version} has no released torchvision ({vision} is not on the index); "
                "set PTBENCH_TORCHVISION to a torchvision wheel or checkout built against it"
            )
        pip("--no-deps", f"torchvision=={vision}")
    if available("torchaudio", base):
        pip("--no-deps", f"torchaudio=={base}")
    else:
        print(f"== no torchaudio {base} on the index; skipped (the suites do not import it)", flush=True)

    installed = [f"{p}=={importlib.metadata.version(p)}" for p in ("torch", "torchvision")]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(installed) + "\n")
    try:
        pip("-c", f.name, *pins(COMPANION_PINS))
    finally:
        os.unlink(f.name)
    check = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True)
    if check.returncode != 0:
        raise InstallError(
            "the installed torch, torchvision and timm do not work together:\n"
            f"{check.stderr.strip()[-1500:]}\n"
            "set PTBENCH_TORCHVISION to a torchvision built against this torch"
        )
    print("==", check.stdout.strip(), flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        install(*sys.argv[1:])
    except (InstallError, subprocess.CalledProcessError) as e:
        sys.exit(f"install_torch: {e}")
