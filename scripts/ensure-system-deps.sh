#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver for the browser tests when either is missing
# and we may install (root with apt-get); otherwise says why the browser tests will be skipped.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing chromium and chromium-driver (Debian packages) for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
else
  echo "chromium or chromedriver is not installed and cannot be installed here (needs root and" \
    "apt-get): the browser tests will be skipped (install Debian's chromium and chromium-driver)." >&2
fi
