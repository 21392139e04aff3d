#!/usr/bin/env bash
# Installs the local stack's npm packages (pinned in local/package.json + lock file).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/package.json" ] && [ ! -x "$here/node_modules/.bin/azurite" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi
