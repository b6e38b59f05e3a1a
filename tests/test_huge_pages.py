"""The benchmark processes' heap lies on transparent huge pages (``_sampling.PROCESS_ENVIRONMENT``)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import _sampling
from ptbench import plugin

ROOT = Path(__file__).resolve().parents[1]
THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")

# In a process set up as a benchmark process, a tensor of 64 MiB written once: kB of it on huge pages.
HUGE_KB = """
import torch
from benchmarks import _sampling
_sampling.fixed_allocator()
x = torch.ones(16 * 1024 * 1024)
rollup = open("/proc/self/smaps_rollup").read().splitlines()
print(next(int(line.split()[1]) for line in rollup if line.startswith("AnonHugePages:")))
"""


def test_tunables_join_those_already_set():
    merged = _sampling.with_process_environment({"GLIBC_TUNABLES": "glibc.malloc.arena_max=2", "A": "1"})
    assert merged == {"GLIBC_TUNABLES": "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", "A": "1"}
    assert _sampling.with_process_environment(merged) == merged
    assert _sampling.with_process_environment({}) == _sampling.PROCESS_ENVIRONMENT


def test_asv_run_starts_benchmarks_with_the_process_environment(monkeypatch):
    for name in _sampling.PROCESS_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "argv", ["asv", "run", "--environment", "existing:same", "--dry-run"])
    for owner, name in ((plugin.Benchmarks, "discover"), (plugin.Results, "add_result")):
        monkeypatch.setattr(owner, name, getattr(owner, name))  # undone after the test
    monkeypatch.setattr(plugin.runner, "format_benchmark_result", plugin.runner.format_benchmark_result)
    plugin.setup()
    assert {k: os.environ.get(k) for k in _sampling.PROCESS_ENVIRONMENT} == _sampling.PROCESS_ENVIRONMENT


@pytest.mark.skipif(
    not THP.exists() or "[never]" in THP.read_text(), reason="the kernel has transparent huge pages off"
)
def test_the_heap_is_on_huge_pages_only_with_the_process_environment():
    env = {k: v for k, v in os.environ.items() if k not in _sampling.PROCESS_ENVIRONMENT}

    def huge_kb(environ):
        run = subprocess.run([sys.executable, "-c", HUGE_KB], env=environ, cwd=ROOT, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return int(run.stdout)

    assert huge_kb(_sampling.with_process_environment(env)) >= 32 * 1024
    if "[madvise]" in THP.read_text():  # with "always" the kernel backs every heap with huge pages
        assert huge_kb(env) == 0
