#!/usr/bin/env bash
# Creates .venv with the pinned stack from the first Python 3.10-3.13 found (PYTHON overrides);
# a no-op when it is already complete.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
    for candidate in python3.11 python3.12 python3.13 python3.10 python3; do
        command -v "$candidate" >/dev/null || continue
        "$candidate" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))' && { PYTHON=$candidate; break; }
    done
fi
[ -n "${PYTHON:-}" ] || { echo "error: Python 3.10 to 3.13 is needed (python3 is $(python3 --version 2>&1))" >&2; exit 2; }
"$PYTHON" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))' \
    || { echo "error: PYTHON=$PYTHON is $("$PYTHON" --version 2>&1); Python 3.10 to 3.13 is needed" >&2; exit 2; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.requirements
if ! cmp -s <(cat requirements.txt requirements-dev.txt) "$stamp" 2>/dev/null; then
    echo "== installing requirements into .venv with $(.venv/bin/python --version) (torch is ~5 GB the first time)"
    # The filter must not hide pip's own failure: a full disk otherwise surfaces later as "No module named torch".
    if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt 2>&1 \
        | { grep -v "is ignored: it is neither a file nor a directory" || true; }; then
        free=$(df -Pk .venv | awk 'NR == 2 {printf "%.1f", $4 / 1048576}')
        echo "error: pip could not install requirements-dev.txt into .venv (see above; ${free} GB free there, the stack takes ~6 GB)" >&2
        exit 1
    fi
    .venv/bin/python -c "import torch, torchvision, timm, asv, scipy"
    cat requirements.txt requirements-dev.txt > "$stamp"
fi
