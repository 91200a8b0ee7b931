#!/usr/bin/env bash
# Copies the browser libraries the web pages use from the npm registry into web/vendor/, so that
# the server serves them from its own origin (no CDN; the CSP allows only 'self'). vendor/
# package.json and its lock name them; web/vendor/ is generated (ignored by git). make run and
# make test call this before the server starts, since the server reads web/ at start-up.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm ci only when the lock changed since the last install (it is slow and needs the registry)
if [ ! -f vendor/node_modules/.package-lock.json ] || [ vendor/package-lock.json -nt vendor/node_modules/.package-lock.json ]; then
    (cd vendor && npm ci --no-audit --no-fund --loglevel=error)
fi

mkdir -p web/vendor
# source in node_modules -> name in web/vendor
files=(
    "qrcode-generator/dist/qrcode.mjs qrcode.mjs"
)
for f in "${files[@]}"; do
    set -- $f
    cmp -s "vendor/node_modules/$1" "web/vendor/$2" || cp "vendor/node_modules/$1" "web/vendor/$2"
done
