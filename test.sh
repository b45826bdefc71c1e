#!/usr/bin/env bash
# Run the whole test suite: installs Python packages into .venv and, for the browser tests,
# Debian's chromium and fonts-noto-cjk, LibreOffice and poppler-utils for the briefing's PDF
# check, and for the store's tests a private PostgreSQL
# (Debian's postgresql); then pytest (slow, browser and PostgreSQL tests included), in two processes.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/venv.sh
bash scripts/browser.sh
SIM_TEST_PG_URL=$(bash scripts/postgres.sh)
export SIM_TEST_PG_URL SIM_REQUIRE_PG=1 SIM_REQUIRE_OFFICE=1
# the layers of .importlinter first: a wrong import fails in a second, naming its chain
.venv/bin/lint-imports
# two processes on this two-core machine, a test file to a process (its module fixtures, servers and
# AppTest caches stay together), the longest files first (tests/conftest.py: LONGEST_FIRST, kept in
# that order); SIM_TEST_WORKERS=0 runs in one process
exec .venv/bin/python -m pytest -q -n "${SIM_TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder "$@"
