#!/usr/bin/env bash
# Installs Debian's gnupg for the test that signs a security.txt the documented way, when gpg
# is missing and we may install (root with apt-get); otherwise says why that test is skipped.
set -euo pipefail
if command -v gpg >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing gnupg (Debian package) for the security.txt signing test..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnupg >/dev/null
else
  echo "gpg is not installed and cannot be installed here (needs root and apt-get): the" \
    "security.txt signing test will be skipped (install Debian's gnupg)." >&2
fi
