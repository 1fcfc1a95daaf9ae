#!/usr/bin/env bash
# Installs the Debian packages the tests need, only those missing. Needs root for apt-get;
# without root it says what is missing and carries on (tests that need a package then fail
# with a clear message rather than being skipped).
set -euo pipefail
PACKAGES=(softhsm2 python3-pykmip openssl)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "warning: missing system packages (${missing[*]}); run as root or: sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "== apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
