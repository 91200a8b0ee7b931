#!/usr/bin/env bash
# Installs the Debian packages the project needs, and only those that are missing, so that
# `make run` and `make test` work on a fresh Debian machine. Safe to run again and again.
set -euo pipefail

packages=(build-essential pkg-config libevent-dev libpq-dev libssl-dev libcjson-dev libcsv-dev libgmp-dev zlib1g-dev
          libcurl4-openssl-dev libcjose-dev python3-aiosmtpd
          libturbojpeg0-dev libexif-dev libpng-dev libwebp-dev python3-pil
          postgresql postgresql-contrib curl python3 python3-jsonschema ca-certificates openssl chromium testssl.sh)
# Tools that may come from elsewhere (NodeSource's nodejs bundles npm): needed only when
# the command is missing.
declare -A commands=([node]=nodejs [npm]=npm)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
for c in "${!commands[@]}"; do
    command -v "$c" >/dev/null 2>&1 || missing+=("${commands[$c]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]}" >&2
    echo "install them as root: apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "installing missing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
