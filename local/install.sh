#!/usr/bin/env bash
# Installs the local stack's npm packages (azurite, s3rver) exactly as pinned in
# local/package.json + package-lock.json, and kubectl for the infra tests (install-kubectl.sh).
# Runs `npm ci` only when node_modules is missing or the lock file changed since the last
# install (a stamp holds the lock's hash), so it is cheap to call before every test run. Concurrent callers are serialized with flock.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lock="$here/package-lock.json"
stamp="$here/node_modules/.install-stamp"

if ! command -v npm >/dev/null 2>&1; then
  echo "install.sh: npm not found; install Node.js 20+ with npm" >&2
  exit 1
fi
[ -f "$lock" ] || { echo "install.sh: $lock is missing" >&2; exit 1; }

up_to_date() {
  [ -x "$here/node_modules/.bin/azurite" ] && [ -x "$here/node_modules/.bin/s3rver" ] \
    && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(sha256sum "$lock" | cut -d' ' -f1)" ]
}

# kubectl (kustomize) for the infra tests: they fail, not skip, without it.
"$here/install-kubectl.sh"

up_to_date && exit 0

mkdir -p "$here/../.work"
exec 9>"$here/../.work/npm-install.lock"
flock 9
# Another caller may have installed while we waited for the lock.
up_to_date && exit 0

echo "install.sh: installing azurite and s3rver (npm ci) in $here" >&2
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
sha256sum "$lock" | cut -d' ' -f1 > "$stamp"
