#!/usr/bin/env bash
# Installs the browser the dashboard's tests drive: Debian's chromium (Playwright drives it by its
# executable path and never downloads a browser of its own). Does nothing when it is there
# (CHROMIUM_PATH, default /usr/bin/chromium). Needs root (as CI runs) or sudo, and apt-get;
# concurrent callers are serialized with flock.
set -euo pipefail
browser=${CHROMIUM_PATH:-/usr/bin/chromium}

[ -x "$browser" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser.sh: no apt-get here: install chromium and set CHROMIUM_PATH to it" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-browser.sh: chromium is missing and installing it needs root: apt-get install chromium" >&2
  exit 1
fi

here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/../.work"
exec 9>"$here/../.work/browser-install.lock"
flock 9
# Another caller may have installed while we waited for the lock.
[ -x "$browser" ] && exit 0

echo "install-browser.sh: installing chromium (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
if [ ! -x "$browser" ]; then
  echo "install-browser.sh: chromium was installed but is not at $browser (set CHROMIUM_PATH)" >&2
  exit 1
fi
