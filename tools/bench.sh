#!/usr/bin/env bash
# The main job: set up .venv, benchmark the installed torch, record it under its release (or the
# PyTorch commit it was built from), publish the dashboard to html/ (ptbench/bench.py). Extra
# arguments go to `asv run`, e.g. `-b resnet18`, `--quick` (a smoke test, never saved) or
# `--machine NAME`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
exec .venv/bin/python -m ptbench.bench "$@"
