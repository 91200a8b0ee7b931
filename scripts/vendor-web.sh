#!/bin/sh
# Copies the browser libraries the pages use (Leaflet for the maps, qrcode-generator for the
# receipt's QR code) from the npm registry into
# web/vendor/, which git ignores: the pages load them from this server, never from a CDN.
# `make run`, `make test` and the Docker image run it; npm ci runs only when the lock file
# is newer than what is installed.
set -e
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/web-vendor"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
out="$here/../web/vendor/leaflet"
mkdir -p "$out/images"
cp node_modules/leaflet/dist/leaflet-src.esm.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/LICENSE "$out/"
cp node_modules/leaflet/dist/images/marker-icon.png node_modules/leaflet/dist/images/marker-icon-2x.png \
   node_modules/leaflet/dist/images/marker-shadow.png "$out/images/"
cp node_modules/qrcode-generator/dist/qrcode.mjs "$here/../web/vendor/qrcode.mjs"
