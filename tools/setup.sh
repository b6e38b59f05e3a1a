#!/usr/bin/env bash
# Creates .venv (Python 3.11) with the pinned stack; a no-op when it is already complete.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 needed, found {sys.version.split()[0]}"'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.requirements
if ! cmp -s <(cat requirements.txt requirements-dev.txt) "$stamp" 2>/dev/null; then
    echo "== installing requirements into .venv (torch is ~5 GB the first time)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt 2>&1 \
        | grep -v "is ignored: it is neither a file nor a directory" || true
    .venv/bin/python -c "import torch, torchvision, torchaudio, timm, asv, scipy"
    cat requirements.txt requirements-dev.txt > "$stamp"
fi
