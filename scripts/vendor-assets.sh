#!/usr/bin/env bash
# Vendors the browser libraries from the npm registry into the embedded
# static folder, so that the binary serves them and the site works with no
# internet. Run it to upgrade; the copied files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
HTMX_VERSION=2.0.11
ECHARTS_VERSION=6.1.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts \
  "htmx.org@$HTMX_VERSION" "echarts@$ECHARTS_VERSION" >/dev/null)
dest=internal/web/static/vendor
mkdir -p "$dest"
cp "$work/node_modules/htmx.org/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$work/node_modules/echarts/dist/echarts.min.js" "$dest/echarts.min.js"
cp "$work/node_modules/htmx.org/LICENSE" "$dest/LICENSE.htmx.txt"
cp "$work/node_modules/echarts/LICENSE" "$dest/LICENSE.echarts.txt"
cat > "$dest/VERSIONS" <<EOT
htmx.org $HTMX_VERSION (BSD Zero Clause)
echarts $ECHARTS_VERSION (Apache-2.0)
EOT
echo "vendored htmx $HTMX_VERSION and echarts $ECHARTS_VERSION into $dest"
