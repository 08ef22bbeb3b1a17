#!/bin/sh
# Rebuilds src/portalserver/vendor/hpke-core.js, the HPKE implementation the portal's upload page
# seals with: @hpke/core (MIT, github.com/dajiaji/hpke-js) bundled into one ES module by esbuild,
# at the pinned versions below. The portal embeds the result (include_str!), so it needs no
# network or npm at run time. `.ci/run` rebuilds it and fails if it differs from the committed one.
set -eu
cd "$(dirname "$0")/.."
work=${1:-target/vendor-hpke}
mkdir -p "$work"
cd "$work"
[ -f package.json ] || npm init -y >/dev/null
npm install --no-audit --no-fund --silent @hpke/core@1.9.0 @hpke/common@1.10.1 esbuild@0.28.2 >/dev/null
echo 'export { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes256Gcm } from "@hpke/core";' > entry.js
{
    echo '// @hpke/core 1.9.0 with @hpke/common 1.10.1 (MIT License, Copyright (c) 2022 Ajitomi Daisuke),'
    echo '// bundled by esbuild 0.28.2 with tools/vendor-hpke.sh. Do not edit: run the script.'
    npx esbuild entry.js --bundle --format=esm --minify --legal-comments=inline --log-level=warning
} > hpke-core.js
cd - >/dev/null
cp "$work/hpke-core.js" src/portalserver/vendor/hpke-core.js
