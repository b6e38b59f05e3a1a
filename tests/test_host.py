"""A run that saves results stops when its asv machine was recorded on other hardware, so one
machine's series never mixes two processors; `python -m ptbench.host NAME` records this host."""

import json
import sys

import pytest
from asv.machine import Machine
from test_config import one_line_error

from benchmarks._config import ConfigError
from ptbench import host

HERE = Machine.get_defaults()
ELSEWHERE = {**HERE, "machine": "elsewhere", "cpu": "Imaginary CPU 9000"}


@pytest.mark.parametrize(
    ("recorded", "differs"),
    [
        ({"cpu": "AMD EPYC", "num_cpu": "2", "arch": "x86_64"}, None),  # a shortened name begins the host's
        ({"cpu": "amd  epyc 7b13", "num_cpu": 2}, None),  # case, spacing and type do not matter
        ({"machine": "bare"}, None),  # nothing recorded, nothing to compare
        ({"cpu": "Intel(R) Xeon(R) Processor"}, "cpu 'Intel(R) Xeon(R) Processor', this host 'AMD EPYC 7B13'"),
        ({"cpu": "AMD EPYC", "num_cpu": "4"}, "num_cpu '4', this host '2'"),
        ({"arch": "aarch64", "cpu": "AMD EPYC 7B13 Processor"}, "arch 'aarch64', this host 'x86_64'; cpu"),
    ],
)
def test_a_machine_is_its_processor_cores_and_architecture(recorded, differs):
    found = host.mismatch(recorded, {"cpu": "AMD EPYC 7B13", "num_cpu": "2", "arch": "x86_64"})
    assert found == differs if differs is None else found.startswith(differs)


@pytest.mark.parametrize(
    ("os_", "ram", "stable_os", "stable_ram"),
    [
        ("Linux 6.18.44-fc-v1272", "25276194816", "Linux 6.18.44", "24 GiB"),  # two boots of one VM ...
        ("Linux 6.18.44-fc-v1147", "25276071936", "Linux 6.18.44", "24 GiB"),  # ... are one series
        ("Linux 6.8.0-45-generic", "137438953472", "Linux 6.8.0", "128 GiB"),
        ("Linux", "24 GiB", "Linux", "24 GiB"),  # stable already: kept
    ],
)
def test_a_series_keeps_the_kernel_release_and_whole_gib(os_, ram, stable_os, stable_ram):
    entry = {**HERE, "os": os_, "ram": ram}
    assert host.series_values(entry) == {**entry, "os": stable_os, "ram": stable_ram}


def write_machines(home, *entries):
    (home / ".asv-machine.json").write_text(json.dumps({"version": 1, **{e["machine"]: e for e in entries}}))


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "asv", "run", "--python=same", "-b", "time_call", "--machine", "elsewhere"],
        [sys.executable, "-m", "ptbench.bench", "--machine", "elsewhere"],
    ],
    ids=["asv run", "main job"],
)
def test_a_saving_run_on_other_hardware_stops_with_one_line(tmp_path, command):
    write_machines(tmp_path, ELSEWHERE)
    line = one_line_error(command, HOME=str(tmp_path), PTBENCH_DEVICE="cpu")
    assert "machine 'elsewhere' was recorded on other hardware" in line
    assert f"cpu 'Imaginary CPU 9000', this host {HERE['cpu']!r}" in line


def test_the_only_machine_of_the_file_is_checked_without_a_name(tmp_path, monkeypatch):
    """asv records under a machine file's only entry when no --machine is given: so does the check."""
    monkeypatch.setenv("HOME", str(tmp_path))
    write_machines(tmp_path, ELSEWHERE)
    with pytest.raises(ConfigError, match="'elsewhere' was recorded on other hardware"):
        host.check()
    write_machines(tmp_path, {**HERE, "machine": "here"})
    host.check()


def test_recording_this_host_keeps_its_values(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert host.main(["here"]) == 0
    recorded = json.loads((tmp_path / ".asv-machine.json").read_text())["here"]
    assert recorded == host.series_values({**HERE, "machine": "here"})
    assert f"== machine here: {HERE['cpu']}" in capsys.readouterr().out
    host.check("here")
    write_machines(tmp_path, ELSEWHERE)
    with pytest.raises(SystemExit, match="^error: machine 'elsewhere' was recorded on other hardware"):
        host.main(["elsewhere"])


@pytest.mark.parametrize("args", [[], ["a", "b"], ["--machine"], ["-x"]])
def test_an_option_or_a_wrong_count_is_not_a_machine_name(tmp_path, monkeypatch, args):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(SystemExit, match="^usage: python -m ptbench.host NAME"):
        host.main(args)
    assert not (tmp_path / ".asv-machine.json").exists()


def test_help_prints_the_usage_and_records_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert host.main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: python -m ptbench.host NAME")
    assert not (tmp_path / ".asv-machine.json").exists()


def test_the_main_job_asks_for_a_name_among_several_machines(tmp_path):
    """With two machines recorded and neither named after this host, asv cannot pick one: the main
    job says which it knows and how to choose, in one line (it raised a KeyError)."""
    write_machines(tmp_path, {**HERE, "machine": "fast"}, {**HERE, "machine": "slow"})
    line = one_line_error([sys.executable, "-m", "ptbench.bench"], HOME=str(tmp_path), PTBENCH_DEVICE="cpu")
    assert line.startswith("error: No information stored about machine")
    assert line.endswith("I know about 'fast' and 'slow'. Choose one with --machine NAME")


def test_the_paired_check_asks_for_a_name_among_several_machines(tmp_path):
    """tools/continuous.sh (ptbench.pair) files its pair under a machine too: the same one line
    (it raised a KeyError from inside asv), before anything is installed."""
    write_machines(tmp_path, {**HERE, "machine": "fast"}, {**HERE, "machine": "slow"})
    command = [sys.executable, "-m", "ptbench.pair", "2.14.1", "2.14.1"]
    line = one_line_error(command, HOME=str(tmp_path), PTBENCH_DEVICE="cpu")
    assert line.endswith("I know about 'fast' and 'slow'. Choose one with --machine NAME")
