"""tools/setup.sh: a pip install that fails stops setup with one error line naming the free disk, and
leaves no stamp, so the next call tries again (a full disk once surfaced only as "No module named torch")."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("pip_status", "ok"), [(1, False), (0, True)])
def test_setup_stops_on_a_failed_install(tmp_path, pip_status, ok):
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "setup.sh").write_text((ROOT / "tools" / "setup.sh").read_text())
    for name in ("requirements.txt", "requirements-dev.txt"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    # A stand-in for the venv's python: pip prints a filtered line and a real one, then exits with pip_status.
    python.write_text(
        '#!/bin/sh\nif [ "$1 $2" = "-m pip" ]; then\n'
        "  echo 'x is ignored: it is neither a file nor a directory'; echo 'ERROR: No space left on device'\n"
        f"  exit {pip_status}\nfi\n"
    )
    python.chmod(0o755)
    run = subprocess.run(
        ["bash", "tools/setup.sh"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable},
        capture_output=True,
        text=True,
    )
    assert "neither a file nor a directory" not in run.stdout + run.stderr
    assert "No space left on device" in run.stdout
    stamped = (tmp_path / ".venv" / ".requirements").exists()
    if ok:
        assert (run.returncode, stamped) == (0, True), run.stderr
    else:
        assert (run.returncode, stamped) == (1, False)
        (error,) = [line for line in run.stderr.splitlines() if line.startswith("error:")]
        assert "could not install requirements-dev.txt" in error and "GB free there" in error
