#!/usr/bin/env bash
# Debian's chromium (to look at the app), chromium-headless-shell (the browser tests) and CJK
# fonts, LibreOffice (writer and impress, no GUI) and poppler-utils for the briefing's and the
# slides' PDF checks, Node for the live headline's equality test (tests/test_live.py runs
# ui/live/headline.mjs under it) (apt-get; root on CI).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)  # to look at the app and for bench/bench_app.py
[ -x /usr/bin/chromium-headless-shell ] || need+=(chromium-headless-shell)  # the browser tests (tests/support.py)
fc-list : family 2>/dev/null | grep -i "noto sans cjk" >/dev/null || need+=(fonts-noto-cjk)  # no -q: under pipefail an early exit of grep would fail fc-list
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
dpkg -s libreoffice-impress-nogui >/dev/null 2>&1 || need+=(libreoffice-impress-nogui)  # .pptx
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v node >/dev/null || need+=(nodejs)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing ${need[*]} with apt-get" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null
fi
