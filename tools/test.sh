#!/usr/bin/env bash
# The tests: lint, then pytest. By default everything but the heavy timm-vs-fp64 tests;
# pytest arguments replace that, e.g. `-m "not slow"` (fast only) or `-m heavy`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
if [ $# -eq 0 ]; then set -- -m "not heavy"; fi
.venv/bin/python -m pytest "$@"
