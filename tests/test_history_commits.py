"""PyTorch-commits history end to end, offline: asv.pytorch.json over a stand-in repository.

A local git repository with three commits stands in for PyTorch, and a wheelhouse maps each
commit to a real torch wheel (the installed release's, by an index file, since no wheel was built
from these commits). Then ``asv run A..B``, ``asv continuous`` and ``asv find`` each complete over
one autograd point, every commit installed through history/build_torch.sh (wheelhouse only) and
history/install_torch.py. Creating the environment downloads torch's dependencies (~5 GB) unless
pip has them cached: marked heavy, outside the default test run.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from asv.util import load_json

from history.configure import variant, write

ROOT = Path(__file__).resolve().parents[1]
ASV = [sys.executable, "-m", "asv"]
MACHINE = ("--machine", "standin")
POINT = r"^autograd_functional\.Time\.time_call\('ppl_simple_reg', 'vjp', 'torch\.func'"

pytestmark = [pytest.mark.slow, pytest.mark.heavy]


def git(cwd, *args):
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def stand_in(path, n):
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    for i in range(n):
        (path / "change.txt").write_text(f"commit {i}\n")
        git(path, "add", ".")
        git(path, "commit", "-qm", f"change {i}")
    return git(path, "rev-list", "--reverse", "main").split()


def torch_wheel(directory):
    import torch
    from packaging.version import Version

    release = Version(torch.__version__).public
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(directory), f"torch=={release}"],
        check=True,
    )
    (wheel,) = directory.glob("torch-*.whl")
    return wheel


def test_run_continuous_and_find_over_commits(tmp_path, request):
    commits = stand_in(tmp_path / "pytorch", 3)
    wheelhouse = tmp_path / "wheelhouse"
    wheel = torch_wheel(wheelhouse)
    (wheelhouse / "index.json").write_text(json.dumps(dict.fromkeys(commits, wheel.name)))
    paths = {key: str(tmp_path / key) for key in ("results_dir", "html_dir", "env_dir")}
    conf = write(
        variant(ROOT / "asv.pytorch.json", repo=tmp_path / "pytorch", **paths), ROOT / f"asv.{tmp_path.name}.local.json"
    )
    request.addfinalizer(conf.unlink)
    env = {**os.environ, "HOME": str(tmp_path), "PTBENCH_WHEELHOUSE": str(wheelhouse), "PTBENCH_WHEELHOUSE_ONLY": "1"}
    env.update(
        PTBENCH_SIZE="small",
        PTBENCH_DEVICE="cpu",
        PIP_CACHE_DIR=os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
    )

    def asv(*args):
        proc = subprocess.run([*ASV, "--config", str(conf), *args], cwd=ROOT, env=env, capture_output=True, text=True)
        print(f"$ asv {' '.join(args)}\n{proc.stdout[-6000:]}{proc.stderr[-3000:]}")
        return proc

    assert asv("machine", "--yes", "--machine", "standin").returncode == 0
    run = asv("run", f"{commits[0]}..{commits[2]}", *MACHINE, "--quick", "--show-stderr", "-b", POINT)
    assert run.returncode == 0
    saved = sorted(p.name.split("-")[0] for p in (tmp_path / "results_dir" / "standin").glob("*-*.json"))
    assert saved == sorted(c[:8] for c in commits[1:])  # A..B: after A, up to B

    cont = asv("continuous", *MACHINE, "--quick", "--factor", "1000", "-b", POINT, commits[0], commits[2])
    assert cont.returncode == 0 and "BENCHMARKS NOT SIGNIFICANTLY CHANGED" in cont.stdout

    find = asv("find", *MACHINE, f"{commits[0]}..{commits[2]}", POINT)
    assert find.returncode == 0 and "Greatest regression found:" in find.stdout

    # A new commit without a wheel, wheelhouse only: one clear message, and earlier results stay.
    (tmp_path / "pytorch" / "change.txt").write_text("commit 3\n")
    git(tmp_path / "pytorch", "commit", "-qam", "change 3")
    new = git(tmp_path / "pytorch", "rev-parse", "HEAD")
    missing = asv("run", f"{commits[2]}..{new}", *MACHINE, "--quick", "--show-stderr", "-b", POINT)
    assert f"PTBENCH_WHEELHOUSE_ONLY=1 and no wheel of {new[:12]}" in missing.stdout + missing.stderr
    kept = {p.name.split("-")[0] for p in (tmp_path / "results_dir" / "standin").glob("*-*.json")}
    assert {c[:8] for c in commits} <= kept


def test_a_build_of_a_commit_is_placed_under_it(tmp_path, request):
    """The main job on a nightly or source build: its run and publish configurations hold the
    commit as their branch (resolve returned two values, and the main job could not unpack them)."""
    from history import installed

    commit = stand_in(tmp_path / "pytorch", 2)[-1]
    run, publish, placed = installed.resolve("2.16.0a0+git" + commit[:7], commit, str(tmp_path / "pytorch"))
    request.addfinalizer(Path(run).unlink)
    assert placed == commit and publish == run
    assert load_json(run, js_comments=True)["branches"] == [commit]
