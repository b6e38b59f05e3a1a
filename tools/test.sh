#!/usr/bin/env bash
# The tests: lint, then pytest (slow asv runs included unless `-m "not slow"` is passed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
