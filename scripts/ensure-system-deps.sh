#!/usr/bin/env bash
# Installs the Debian packages the tests need when missing and we may install (root with
# apt-get): chromium and chromium-driver for the browser tests, prometheus for the
# Prometheus collector tests. Otherwise says which tests will be skipped and why.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} (Debian packages) for the browser and Prometheus tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "${missing[*]} not installed and cannot be installed here (needs root and apt-get):" \
    "the browser or Prometheus tests will be skipped (install these Debian packages)." >&2
fi
