"""Find a prebuilt torch wheel of one PyTorch commit in a directory of wheels.

    python history/wheelhouse.py DIR COMMIT    # prints the wheel's path, or exits 1 saying why

A wheel matches when the commit it was built from, ``git_version`` in its ``torch/version.py``,
is COMMIT (CI artifacts and nightlies record it). ``DIR/index.json``, ``{"<commit>": "<wheel
file name>"}``, maps commits explicitly and is read first.
"""

import json
import re
import sys
import zipfile
from pathlib import Path

GIT_VERSION = re.compile(r"""^git_version\s*=\s*['"]([0-9a-f]{7,40})['"]""", re.MULTILINE)


def built_from(wheel):
    """The commit recorded in a torch wheel, or None."""
    try:
        with zipfile.ZipFile(wheel) as z:
            found = GIT_VERSION.search(z.read("torch/version.py").decode())
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return found.group(1) if found else None


def _same(a, b):
    n = min(len(a), len(b))
    return n >= 7 and a[:n] == b[:n]


def find(directory, commit):
    """Path of the wheel built from ``commit`` in ``directory``; LookupError says why not."""
    directory = Path(directory)
    if not directory.is_dir():
        raise LookupError(f"PTBENCH_WHEELHOUSE={directory} is not a directory")
    index = directory / "index.json"
    if index.exists():
        for key, name in json.loads(index.read_text()).items():
            if _same(key, commit):
                path = directory / name
                if not path.is_file():
                    raise LookupError(f"{index} maps {commit[:12]} to {name}, which is not in {directory}")
                return path
    wheels = sorted(directory.glob("torch-*.whl"))
    for wheel in wheels:
        recorded = built_from(wheel)
        if recorded and _same(recorded, commit):
            return wheel
    raise LookupError(f"no wheel built from {commit[:12]} in {directory} ({len(wheels)} torch wheels looked at)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        print(find(*sys.argv[1:]))
    except LookupError as e:
        sys.exit(str(e))
