#!/usr/bin/env bash
# System packages for the browser tests: Debian's chromium, driven by Playwright.
# Called by .ci/run as root before the tests; installs only when it is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y chromium
/usr/bin/chromium --version
