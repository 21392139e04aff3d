#!/usr/bin/env bash
# Refreshes the copies kustomize needs inside its folders (it reads no file outside them):
# base/host.json from the repository's host.json. tests/Infra.Tests fails until they agree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cp "$here/../../host.json" "$here/base/host.json"
echo "sync.sh: copied host.json into $here/base. If hubName, partitionCount or the concurrency"
echo "limits changed, run the infra tests: a failure prints the KEDA triggers to paste."
