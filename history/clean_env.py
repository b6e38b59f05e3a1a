"""Empty an asv environment down to what asv itself put there: its uninstall command.

    python history/clean_env.py

asv keeps one environment for every release (or commit) it measures and installs each over the
last. Whatever an earlier install brought and a later one does not replace stays behind, and it
changes what is measured: after 2.0.1, torch 2.14.1 in that environment mapped the CUDA 11 and 12
libraries beside its own (24 NVIDIA libraries against 16 in a fresh one) and inception_v3's first
inference peaked at 1148 MB against 843 MB. So before each install every distribution goes except
the virtualenv's seed packages and asv's base requirements with what they require; the install
command then brings the release and its companions into an environment that held none.

Standard library only: it runs before install_torch.py's own requirement (packaging) is there.
"""

import importlib.metadata
import re
import subprocess
import sys

# virtualenv's seed packages and what asv installs into every environment it creates.
ROOTS = ("pip", "setuptools", "wheel", "build", "asv_runner")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def required(requirement):
    """The distribution a Requires-Dist line names, or None for one that only an extra needs."""
    spec, _, marker = requirement.partition(";")
    if "extra" in marker:
        return None
    return canonical(NAME.match(spec.strip()).group())


def to_keep(installed, roots=ROOTS):
    """The names in ``installed`` ({name: Requires-Dist lines}) that ``roots`` need, transitively."""
    installed = {canonical(name): requires for name, requires in installed.items()}
    keep, todo = set(), [canonical(root) for root in roots]
    while todo:
        name = todo.pop()
        if name in keep or name not in installed:
            continue
        keep.add(name)
        todo += [r for r in map(required, installed[name]) if r]
    return keep


def installed_distributions():
    return {dist.metadata["Name"]: dist.requires or [] for dist in importlib.metadata.distributions()}


def main():
    installed = installed_distributions()
    keep = to_keep(installed)
    remove = sorted(name for name in installed if canonical(name) not in keep)
    if not remove:
        print("== environment holds only asv's own packages", flush=True)
        return
    print(f"== removing {len(remove)} packages an earlier install left: {' '.join(remove)}", flush=True)
    command = [sys.executable, "-m", "pip", "uninstall", "--disable-pip-version-check", "-y", "-q", *remove]
    subprocess.run(command, check=True)


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as e:
        sys.exit(f"clean_env: pip uninstall failed with exit status {e.returncode}")
