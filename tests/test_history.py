"""History tooling without network: the releases plugin, the wheelhouse, configuration variants."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from asv.util import load_json

from history import clean_env, install_torch, installed, releases, wheelhouse
from history.configure import variant

DATES = {"2.9.0": 1, "2.9.1": 2, "2.10.0": 3, "2.11.0": 4, "2.8.0": 0}


@pytest.fixture
def repo(monkeypatch):
    monkeypatch.setattr(releases, "cached", lambda package, path, refresh=False: dict(DATES))
    return releases.TorchReleases("torch>=2.9", None)


def test_releases_are_commits_in_release_order(repo):
    assert repo.get_branch_commits("releases") == ["2.11.0", "2.10.0", "2.9.1", "2.9.0"]  # 2.8.0 out of window
    assert repo.get_hashes_from_range("2.9.1..2.11.0") == ["2.11.0", "2.10.0"]
    assert repo.get_hashes_from_range("2.10.0") == ["2.10.0", "2.9.1", "2.9.0"]
    assert repo.get_hashes_from_range("2.10.0^!") == ["2.10.0"]
    assert repo.get_hash_from_name("releases") == "2.11.0"
    assert repo.get_hash_from_name("v2.10") == "2.10.0"
    assert repo.get_hash_from_parent("2.10.0") == "2.9.1"
    assert repo.get_revisions({"2.9.1", "2.11.0"}) == {"2.9.1": 1, "2.11.0": 3}
    assert repo.get_date("2.10.0") == 3


def test_unknown_release_says_what_exists(repo):
    with pytest.raises(releases.UnknownRelease, match="'2.99.0' is not a release of torch>=2.9.*2.11.0"):
        repo.get_hash_from_name("2.99.0")
    with pytest.raises(releases.UnknownRelease, match="oldest release"):
        repo.get_hash_from_parent("2.9.0")


def test_index_file_names():
    from history.index import _file_version

    assert _file_version("torch", "torch-2.11.0-cp311-cp311-manylinux_2_28_x86_64.whl") == "2.11.0"
    assert _file_version("torch", "torch-2.13.0+cpu-cp311-cp311-linux_x86_64.whl") is None
    assert _file_version("torch", "torch-2.12.0rc1-cp311-cp311-linux_x86_64.whl") is None
    assert _file_version("torch", "torchvision-0.26.0-cp311-cp311-linux_x86_64.whl") is None


def _wheel(path, git_version):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("torch/version.py", f"__version__ = '2.12.0a0'\ngit_version = '{git_version}'\n")
    return path


def test_wheelhouse_matches_the_recorded_commit(tmp_path):
    a, b = "a" * 40, "b" * 40
    _wheel(tmp_path / "torch-2.12.0a0+gitaaaaaaa-cp311-cp311-linux_x86_64.whl", a)
    wb = _wheel(tmp_path / "torch-2.12.0a0+gitbbbbbbb-cp311-cp311-linux_x86_64.whl", b)
    assert wheelhouse.find(tmp_path, b) == wb
    with pytest.raises(LookupError, match="no wheel built from cccccccccccc .* \\(2 torch wheels"):
        wheelhouse.find(tmp_path, "c" * 40)
    (tmp_path / "index.json").write_text(json.dumps({"c" * 40: wb.name}))
    assert wheelhouse.find(tmp_path, "c" * 40) == wb
    with pytest.raises(LookupError, match="not a directory"):
        wheelhouse.find(tmp_path / "missing", a)


def test_wheelhouse_script_exits_with_the_reason(tmp_path):
    command = [sys.executable, "history/wheelhouse.py", str(tmp_path), "d" * 40]
    proc = subprocess.run(command, capture_output=True, text=True)
    assert proc.returncode == 1 and "no wheel built from dddddddddddd" in proc.stderr


def test_variant_points_at_a_checkout(tmp_path):
    (tmp_path / ".git").mkdir()
    conf = variant("asv.pytorch.json", repo=tmp_path, results_dir="elsewhere")
    assert conf["repo"] == str(tmp_path) and conf["results_dir"].endswith("/elsewhere")
    assert conf["benchmark_dir"].startswith("/")
    with pytest.raises(SystemExit, match="not a git checkout.*--filter=blob:none"):
        variant("asv.pytorch.json", repo=tmp_path / "nothing")


def test_installed_torch_is_placed_in_history():
    run, publish, commit = installed.resolve("2.11.0+cu130", "70d99e998b8955b7a2b9f85f7bd7e5d8ba1f4a9a")
    assert (Path(publish).name, commit) == ("asv.conf.json", "2.11.0")
    assert load_json(run, js_comments=True)["branches"] == ["2.11.0"]  # asv names the torch it measures
    with pytest.raises(SystemExit, match="PTBENCH_PYTORCH_REPO"):
        installed.resolve("2.12.0a0+git70d99e9", "70d99e998b8955b7a2b9f85f7bd7e5d8ba1f4a9a")


INDEX = {
    "torchvision": ["0.29.1", "0.29.0", "0.26.0", "0.15.2", "0.15.1"],
    "torchaudio": ["2.11.0", "2.0.2", "2.0.1"],
}


def test_release_companions(monkeypatch):
    monkeypatch.setattr(install_torch, "versions", INDEX.get)
    wanted, constraints, notes = install_torch.release_requirements("2.0.1")
    assert {"torch===2.0.1", "torchvision==0.15.*", "torchaudio==2.0.*", "timm==1.0.31"} <= set(wanted)
    assert constraints == ["numpy<2"]  # built against numpy 1
    # torch.compile imports pkg_resources (gone from setuptools 82) before torch 2.2
    assert "setuptools<82" in wanted and "setuptools<82" in install_torch.release_requirements("2.1.2")[0]
    assert "setuptools<82" not in install_torch.release_requirements("2.2.2")[0]
    wanted, constraints, notes = install_torch.release_requirements("2.14.1")
    assert "torchvision==0.29.*" in wanted and not any(w.startswith(("torchaudio", "setuptools")) for w in wanted)
    assert constraints == [] and notes == ["no torchaudio 2.14.* on the index (the suites do not import it)"]
    wanted, _, notes = install_torch.release_requirements("2.15.0")
    assert not any(w.startswith(("torchvision", "timm")) for w in wanted)
    assert "no torchvision 0.30.* on the index pairs with torch 2.15.0: timm is not installed" in notes


# The environment of a release with no torchvision (2.15.0): timm is absent, and with the second
# line torchvision too.
NO_TIMM = "import sys; sys.modules['timm'] = None\n"
NO_TORCHVISION = (
    "import importlib.util; real = importlib.util.find_spec\n"
    "importlib.util.find_spec = lambda name, *a: None if name == 'torchvision' else real(name, *a)\n"
)


@pytest.mark.parametrize(
    "environment, reason",
    [(NO_TIMM, "timm cannot be imported"), (NO_TIMM + NO_TORCHVISION, "no torchvision is installed for torch")],
)
def test_suites_import_where_a_release_has_no_timm(environment, reason):
    """asv imports every module of the suite; 2.15.0's environment has no timm (no torchvision),
    and the timm points' skip reason says why."""
    code = environment + (
        "import benchmarks._models.timm_models, benchmarks.timm_suite as suite\n"
        f"assert {reason!r} in suite.TIMM_ERROR, suite.TIMM_ERROR\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1], check=True)


def plant(site, name, requires=()):
    """A distribution pip can uninstall: its dist-info with METADATA and RECORD, and one module."""
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    lines = [f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", *(f"Requires-Dist: {r}\n" for r in requires)]
    (info / "METADATA").write_text("".join(lines))
    (site / f"{name}.py").write_text("")
    record = [f"{name}.py,,", f"{info.name}/METADATA,,", f"{info.name}/RECORD,,"]
    (info / "RECORD").write_text("\n".join(record) + "\n")


def test_clean_env_keeps_only_what_asv_needs():
    installed = {
        "asv_runner": ["Pympler", "importlib-metadata; python_version < '3.10'", "pytest; extra == 'test'"],
        "Pympler": [],
        "pip": [],
        "pytest": [],
        "nvidia-cublas-cu11": [],
    }
    assert clean_env.to_keep(installed) == {"asv-runner", "pympler", "pip"}


def test_clean_env_empties_a_used_environment(tmp_path):
    """A release installed over an earlier one leaves its packages (nvidia-*-cu11 after 2.0.1); the
    uninstall command removes them and keeps asv's own."""
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", env], check=True)
    python = env / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
        ).strip()
    )
    plant(site, "asv_runner", ["Pympler"])
    plant(site, "Pympler")
    plant(site, "nvidia_cublas_cu11")
    plant(site, "timm", ["torch"])
    script = Path(clean_env.__file__)
    out = subprocess.run([python, script], capture_output=True, text=True, check=True).stdout
    assert "removing 2 packages an earlier install left: nvidia_cublas_cu11 timm" in out
    left = subprocess.check_output([python, "-m", "pip", "list", "--format=freeze"], text=True)
    names = {line.partition("==")[0].lower() for line in left.split()}
    assert {"asv_runner", "pympler", "pip"} <= names and not names & {
        "nvidia_cublas_cu11",
        "nvidia-cublas-cu11",
        "timm",
    }
    out = subprocess.run([python, script], capture_output=True, text=True, check=True).stdout
    assert "only asv's own packages" in out


@pytest.mark.parametrize("config", ["asv.conf.json", "asv.pytorch.json"])
def test_every_install_starts_from_an_empty_environment(config):
    conf = load_json(Path(__file__).parents[1] / config, js_comments=True)
    assert conf["uninstall_command"] == ["python {conf_dir}/history/clean_env.py"]


def fake_history(tmp_path, *options, env=()):
    """tools/history.sh --commit OPTIONS 2.0.1 in a git repository where asv, the run list, the
    steadiness check and setup are stand-ins: two untimed runs, a and b, the second failing, then
    a first and a timed round of c (either failing too while a file `fail` names its option,
    `-a` or `--append-samples`).
    Returns the finished process, the commit subjects of the results and the asv runs the
    release's file recorded."""
    root = Path(__file__).resolve().parents[1]
    bin_dir = tmp_path / ".venv" / "bin"
    if not bin_dir.exists():
        (tmp_path / "tools").mkdir()
        (tmp_path / "tools" / "history.sh").write_text((root / "tools" / "history.sh").read_text())
        (tmp_path / "tools" / "setup.sh").write_text("")
        bin_dir.mkdir(parents=True)
        # python -m benchmarks.points --runs, and python -m ptbench.steady: 0, or while a file
        # `moved` exists 1 for a round after the first
        steps = ["untimed a ^a[.]", "untimed b ^b[.]", "first c1 ^c\\b -a rounds=1", "timed c2 ^c\\b --append-samples"]
        lines = "".join("\t".join(step.split()) + "\n" for step in steps)
        moved = '[ "$2" = ptbench.steady ] && [ -e moved ] && case "$*" in *--one-process) ;; *) exit 1 ;; esac\n'
        (bin_dir / "python").write_text(f"#!/bin/sh\n{moved}cat <<'EOF'\n{lines}EOF\n")
        # called as: asv run REL^! --bench RE ...; saves as asv names files, REL-ENV.json
        asv = (
            '#!/bin/sh\nmkdir -p results/m\nprintf "%s\\n" "$4" >> "results/m/${2%^!}-env.json"\n'
            '[ "$4" != "^b[.]" ] && ! grep -qx -- "$5" fail 2>/dev/null\n'
        )
        (bin_dir / "asv").write_text(asv)
        for script in bin_dir.iterdir():
            script.chmod(0o755)
        subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], check=True)
        (tmp_path / "notes.txt").write_text("staged, not a result")
        subprocess.run(["git", "-C", str(tmp_path), "add", "notes.txt"], check=True)
    git = ["git", "-C", str(tmp_path)]
    env = {"PATH": "/usr/bin:/bin", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", **dict(env)}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    run = subprocess.run(
        ["bash", "tools/history.sh", "--commit", *options, "2.0.1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    log = subprocess.run([*git, "log", "--format=%s", "--name-only"], capture_output=True, text=True, check=True).stdout
    assert "notes.txt" not in log
    subjects = [line.split(" (")[0] for line in log.splitlines() if line.startswith("Release history")]
    return run, subjects, (tmp_path / "results" / "m" / "2.0.1-env.json").read_text().split()


def test_history_commits_results_run_by_run(tmp_path):
    """tools/history.sh --commit: each untimed run that passes is committed, the timed runs together
    after the last, the release's results only; a failed untimed run gets no commit (what it saved
    goes in with the next commit), the next still runs, and the exit status says one failed."""
    run, subjects, runs = fake_history(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "== 2.0.1, b: asv exited 1" in run.stdout
    assert subjects == ["Release history: torch 2.0.1, the timed benchmarks' 2 runs", "Release history: torch 2.0.1, a"]
    assert runs == ["^a[.]", "^b[.]", "^c\\b", "^c\\b"]


def test_history_untimed_takes_no_timed_round(tmp_path):
    """--untimed: the untimed runs only, each committed as it passes."""
    run, subjects, runs = fake_history(tmp_path, "--untimed")
    assert run.returncode == 1, run.stdout + run.stderr
    assert subjects == ["Release history: torch 2.0.1, a"]
    assert runs == ["^a[.]", "^b[.]"]


def test_history_resume_goes_on_from_the_runs_that_passed(tmp_path):
    """A release stopped by its second timed round set aside (the host moved, no tries left) is not
    committed; its first round is kept, and --resume takes only the round after it, then commits
    both. A kept state is gone on from only with the same runs and ASV_ARGS."""
    (tmp_path / "moved").write_text("")
    run, subjects, runs = fake_history(tmp_path)
    assert run.returncode == 1 and "== 2.0.1, c2: not committed, kept in .asv/unsteady/; stopping" in run.stdout
    assert "1 timed runs that passed are kept in .asv/history-resume/2.0.1: --resume goes on" in run.stdout
    assert subjects == ["Release history: torch 2.0.1, a"]
    kept = tmp_path / ".asv" / "history-resume" / "2.0.1"
    assert (kept / "results" / "m" / "2.0.1-env.json").read_text().split() == ["^a[.]", "^b[.]", "^c\\b"]
    (tmp_path / "moved").unlink()
    run, _, _ = fake_history(tmp_path, "--resume", env={"ASV_ARGS": "--quick"})
    assert run.returncode == 2 and "was kept by a run with other runs or ASV_ARGS" in run.stderr
    run, _, _ = fake_history(tmp_path, "--resume", "--untimed")  # would commit the kept rounds alone
    assert run.returncode == 2 and "which --untimed leaves out" in run.stderr
    run, subjects, runs = fake_history(tmp_path, "--resume")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "going on from the 1 timed runs kept in .asv/history-resume/2.0.1, at run 4 of 4" in run.stdout
    assert subjects == ["Release history: torch 2.0.1, the timed benchmarks' 2 runs", "Release history: torch 2.0.1, a"]
    assert runs == ["^a[.]", "^b[.]", "^c\\b", "^c\\b"]  # the set-aside round's line gone with its file
    assert not kept.exists()
    run, _, _ = fake_history(tmp_path, "--resume")
    assert "no stopped run kept" in run.stdout


def test_history_keeps_no_runs_after_a_failed_one(tmp_path):
    """A failed timed run is taken again: the runs after it are not kept for --resume."""
    (tmp_path / "fail").write_text("-a\n")
    run, _, runs = fake_history(tmp_path)
    assert "== 2.0.1, c1: asv exited 1" in run.stdout and runs == ["^a[.]", "^b[.]", "^c\\b", "^c\\b"], run.stdout
    assert not (tmp_path / ".asv" / "history-resume").exists()
