#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing and we may install.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing chromium (Debian package) for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "chromium is not installed: the browser tests will be skipped (install Debian's chromium)." >&2
fi
