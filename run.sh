#!/usr/bin/env bash
# Run the app: installs what it needs into .venv, then starts Streamlit on the default preset.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/venv.sh
exec .venv/bin/python -m streamlit run app.py --server.headless true "$@"
