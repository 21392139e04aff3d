#!/usr/bin/env bash
# The test command of the README (and of CI): installs what the tests need (npm packages
# azurite and s3rver; Debian's chromium for the dashboard's browser tests), builds, and runs
# every xunit test project in the solution.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/local/install.sh"
"$root/local/install-browser.sh"
cd "$root"
dotnet test Serverless.sln -c Release --logger "console;verbosity=normal" "$@"
