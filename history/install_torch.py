"""Install the torch under test into an asv environment, with the packages that go with it.

    python history/install_torch.py release 2.10.0       # torch 2.10.0 from the package index
    python history/install_torch.py wheel dist/torch-....whl

Runs in the environment's Python (asv's install_command). A release is installed in one pip
resolution with its companions, so that each is the build made for that torch:
- torchvision 0.(minor+15).*: timm imports it, and its compiled ops must match the torch (each
  torchvision pins its torch, so pip picks 0.15.1 for 2.0.0, 0.15.2 for 2.0.1). Where the index
  has no such torchvision (2.15 today), torch is installed without it and without timm: the
  timm suite is then n/a with that reason.
- torchaudio 2.minor.*, where the index has one (none after 2.11; the suites never import it).
- timm and scipy at the versions pinned in requirements.txt.
- numpy below 2 for torch before 2.3, which was built against numpy 1.
- setuptools below 82 for torch before 2.2: its torch.compile builds C++ through
  torch.utils.cpp_extension, which imports pkg_resources, gone from setuptools 82 on (the
  version virtualenv seeds today).
A source build of an unreleased torch has no released torchvision: set PTBENCH_TORCHVISION to
what pip should install instead (a torchvision wheel or checkout built against that torch).
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
import importlib.util, torch
found = [f"torch {torch.__version__} ({torch.version.git_version[:12]})"]
if importlib.util.find_spec("torchvision"):
    import torchvision, timm
    torchvision.ops.nms(torch.zeros(1, 4), torch.zeros(1), 0.5)
    found += [f"torchvision {torchvision.__version__}", f"timm {timm.__version__}"]
print(", ".join(found))
"""


class InstallError(RuntimeError):
    pass


def pip(*args):
    print("+ pip install", " ".join(args), flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *args], check=True)


def versions(package):
    """The versions of ``package`` the package index lists."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "--disable-pip-version-check", package],
        capture_output=True,
        text=True,
    ).stdout
    listed = out.partition("Available versions:")[2].splitlines()[:1]
    return [v.strip() for v in "".join(listed).split(",") if v.strip()]


def available(package, version):
    """Whether the package index has ``package==version``."""
    return version in versions(package)


def paired_torchvision(torch_version):
    v = Version(torch_version)
    if v.major != 2:
        raise InstallError(f"no torchvision pairing known for torch {torch_version}; set PTBENCH_TORCHVISION")
    return f"0.{v.minor + 15}"


def pins(names):
    """The requirements.txt lines (markers included) for ``names``."""
    lines = (line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines())
    return [line for line in lines if line.partition("==")[0].strip() in names]


def release_requirements(version):
    """What to install with torch ``version`` (a release), constraints, and notes on what is left out."""
    v = Version(version)
    vision, audio = paired_torchvision(version), f"{v.major}.{v.minor}"
    # "===": the release itself; "==" also takes a local build of it (2.13.0+cpu, lying in a pip
    # find-links folder), which the index's torchvision cannot load its ops into.
    wanted, notes = [f"torch==={version}", *pins(("scipy",))], []
    if v < Version("2.2"):
        wanted.append("setuptools<82")
    if any(x.startswith(f"{vision}.") for x in versions("torchvision")):
        wanted += [f"torchvision=={vision}.*", *pins(("timm",))]
    else:
        notes.append(f"no torchvision {vision}.* on the index pairs with torch {version}: timm is not installed")
    if any(x.startswith(f"{audio}.") for x in versions("torchaudio")):
        wanted.append(f"torchaudio=={audio}.*")
    else:
        notes.append(f"no torchaudio {audio}.* on the index (the suites do not import it)")
    return wanted, ["numpy<2"] if v < Version("2.3") else [], notes


def pip_with_constraints(requirements, constraints):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(constraints) + "\n")
    try:
        pip("-c", f.name, *requirements)
    finally:
        os.unlink(f.name)


def install(kind, what):
    if kind == "release":
        wanted, constraints, notes = release_requirements(what)
        for note in notes:
            print(f"== {note}", flush=True)
        pip_with_constraints(wanted, constraints)
    elif kind == "wheel":
        if not os.path.isfile(what):
            raise InstallError(f"no torch wheel at {what}")
        pip(what)
        install_companions_of_wheel()
    else:
        raise InstallError(f"unknown kind {kind!r}; use 'release' or 'wheel'")
    check = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True)
    if check.returncode != 0:
        raise InstallError(
            "the installed torch, torchvision and timm do not work together:\n"
            f"{check.stderr.strip()[-1500:]}\n"
            "set PTBENCH_TORCHVISION to a torchvision built against this torch"
        )
    print("==", check.stdout.strip(), flush=True)


def install_companions_of_wheel():
    """torchvision (PTBENCH_TORCHVISION, or the release paired with the wheel's torch), timm, scipy."""
    torch_version = importlib.metadata.version("torch")
    print(f"== torch {torch_version} installed", flush=True)
    override = os.environ.get("PTBENCH_TORCHVISION")
    if override:
        # A checkout is built against the torch just installed, hence no build isolation.
        pip("--no-deps", "--no-build-isolation", override)
    else:
        base = Version(torch_version).base_version
        vision = f"{paired_torchvision(base)}.{Version(base).micro}"
        if Version(torch_version).is_prerelease or not available("torchvision", vision):
            raise InstallError(
                f"torch {torch_version} has no released torchvision ({vision} is not on the index); "
                "set PTBENCH_TORCHVISION to a torchvision wheel or checkout built against it"
            )
        pip("--no-deps", f"torchvision=={vision}")
    installed = [f"{p}=={importlib.metadata.version(p)}" for p in ("torch", "torchvision")]
    pip_with_constraints(pins(COMPANION_PINS), installed)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        install(*sys.argv[1:])
    except (InstallError, subprocess.CalledProcessError) as e:
        sys.exit(f"install_torch: {e}")
