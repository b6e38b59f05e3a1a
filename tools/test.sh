#!/usr/bin/env bash
# The tests: lint, then pytest. By default everything but the heavy tests (timm against fp64, the
# PyTorch-commits history run); arguments go to pytest, and a `-m` expression of your own replaces
# that default, e.g. `-m "not slow"` (fast only) or `-m heavy`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Without a marker expression of the caller's own, the heavy tests stay out.
case " $* " in *" -m "*) ;; *) set -- -m "not heavy" "$@" ;; esac
.venv/bin/python -m pytest "$@"
