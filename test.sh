#!/usr/bin/env bash
# Run the whole test suite: installs Python packages into .venv and, for the browser test,
# Debian's chromium and fonts-noto-cjk; then pytest (slow and browser tests included).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/venv.sh
bash scripts/browser.sh
exec .venv/bin/python -m pytest -q "$@"
