#!/usr/bin/env bash
# System packages the test suite needs: Debian's Chromium for the Playwright e2e
# tests (Playwright's own browser download cannot work on these machines).
# As root on Debian/Ubuntu it installs what is missing; elsewhere it says what to install.
set -euo pipefail
chromium="${EDGECAB_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "edgecab: installing Debian's chromium (and CJK fonts for Chinese screenshots)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
  [ -x "$chromium" ] && exit 0
fi
cat >&2 <<MSG
edgecab: the end-to-end tests need Chromium at $chromium, which is missing.
  Debian/Ubuntu (as root):  apt-get install chromium fonts-noto-cjk
  elsewhere: install Chromium and set EDGECAB_CHROMIUM=/path/to/chromium
MSG
exit 1
