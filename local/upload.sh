#!/usr/bin/env bash
# Uploads a folder of images to S3-compatible storage with correct bytes (plain signed PUTs,
# no aws-chunked encoding). Endpoint and keys come from the environment; what is not set
# there is taken from the running local stack's .work/stack.env.
#
#   local/upload.sh <dir> s3://bucket/prefix [--concurrency N] [--ext .jpg,.png]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
env_file=${STACK_DIR:-$here/../.work}/stack.env
if [ -f "$env_file" ]; then
  for var in AWS_ENDPOINT_URL_S3 AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION; do
    if [ -z "${!var:-}" ] && [ -z "${AWS_ENDPOINT_URL:-}" -o "$var" != AWS_ENDPOINT_URL_S3 ]; then
      value=$( set -a; . "$env_file"; printf '%s' "${!var:-}" )
      [ -n "$value" ] && export "$var=$value"
    fi
  done
fi
[ $# -ge 2 ] || { echo "usage: $0 <dir> s3://bucket/prefix [--concurrency N] [--ext .jpg,.png]" >&2; exit 2; }
[ -d "$1" ] || { echo "upload.sh: '$1' is not a folder" >&2; exit 2; }
exec node "$here/upload.mjs" "$@"
