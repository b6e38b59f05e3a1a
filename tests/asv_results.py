"""Reading asv result files in tests."""

import itertools
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def committed():
    """The files of results/ that git tracks: the tests judge the committed results, not a user's
    own runs beside them (the main job saves into results/ too)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "results"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: all of results/
        return sorted(p for p in (ROOT / "results").rglob("*") if p.is_file())
    return sorted(ROOT / name for name in listed.split("\0") if name)


def committed_copy(destination):
    """A copy of the committed results at ``destination``; the directory."""
    for path in committed():
        target = Path(destination) / path.relative_to(ROOT / "results")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return Path(destination)


def rows(data, prefix):
    """(benchmark name, parameter values, value) for every point of the benchmarks under ``prefix``."""
    columns = data["result_columns"]
    for name in sorted(n for n in data["results"] if n.startswith(prefix)):
        row = dict(zip(columns, data["results"][name], strict=False))
        for params, value in zip(itertools.product(*row["params"]), row["result"], strict=True):
            yield name, [p.strip("'") for p in params], value
