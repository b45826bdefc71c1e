#!/usr/bin/env bash
# Debian's chromium and CJK fonts for the end-to-end browser test, LibreOffice (writer and impress,
# no GUI) and poppler-utils for the briefing's and the slides' PDF checks, Node for the live
# headline's equality test (tests/test_live.py runs ui/live/headline.mjs under it) (apt-get; root on CI).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
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
