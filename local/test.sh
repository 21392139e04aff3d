#!/usr/bin/env bash
# The test command of the README (and of CI): installs what the tests need (npm packages
# azurite and s3rver; Debian's chromium for the dashboard's browser tests), builds, and runs
# every xunit test project in the solution.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/local/install.sh"
"$root/local/install-browser.sh"
cd "$root"
log=$(mktemp -t serverless-test.XXXXXX)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Serverless.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?
if [ "$status" -ne 0 ]; then
  # The projects' outputs interleave and CI keeps only the end of the log: repeat each failure
  # (name, message, first stack lines) last, where it is read.
  echo
  echo "== failed tests (repeated from above)"
  grep -E -A 25 '^\s+Failed [A-Za-z_.]+' "$log" | cut -c1-400 | head -n 300 || true
  grep -E '(error|Failed!|Test Run Aborted|The active test run was aborted)' "$log" | grep -v '^\s*Passed' | cut -c1-400 | tail -n 40 || true
fi
exit "$status"
