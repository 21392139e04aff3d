#!/usr/bin/env bash
# The local storage stack: Azurite (Blob, Queue, Table) and s3rver (S3 API) on loopback.
#
#   local/stack.sh start     install if needed, start both, create the bucket(s), write .work/stack.env
#   local/stack.sh stop      stop both (data is kept; `stop --clean` also deletes it)
#   local/stack.sh status    say what runs; exit 0 only when both run
#   local/stack.sh env       print the path of the env file (source it: `set -a; . "$(local/stack.sh env)"; set +a`)
#
# Settings (environment): AZURITE_BLOB_PORT (10000), AZURITE_QUEUE_PORT (10001),
# AZURITE_TABLE_PORT (10002), S3RVER_PORT (4568), S3_BUCKETS ("images": space-separated
# buckets created at start), STACK_DIR (<repo>/.work: data, logs, pid files, stack.env).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
dir=${STACK_DIR:-$root/.work}
blob_port=${AZURITE_BLOB_PORT:-10000}
queue_port=${AZURITE_QUEUE_PORT:-10001}
table_port=${AZURITE_TABLE_PORT:-10002}
s3_port=${S3RVER_PORT:-4568}
buckets=${S3_BUCKETS:-images}
account=devstoreaccount1
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

pidfile() { echo "$dir/pids/$1.pid"; }

running() { # name -> 0 when its pid file names a live process
  local f; f=$(pidfile "$1")
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_ports() { # name port... : wait up to 60 s for every port, fail early if the process died
  local name=$1; shift
  for _ in $(seq 1 600); do
    local ok=1
    for p in "$@"; do listening "$p" || ok=0; done
    [ $ok = 1 ] && return 0
    if ! running "$name"; then
      echo "stack.sh: $name exited during start-up; its log:" >&2
      tail -n 30 "$dir/logs/$name.log" >&2 || true
      return 1
    fi
    sleep 0.1
  done
  echo "stack.sh: $name did not listen on $* within 60 s; see $dir/logs/$name.log" >&2
  return 1
}

start_one() { # name port... -- command...
  local name=$1; shift
  local ports=()
  while [ "$1" != "--" ]; do ports+=("$1"); shift; done
  shift
  if running "$name"; then
    echo "$name already running (pid $(cat "$(pidfile "$name")"))"
    return 0
  fi
  for p in "${ports[@]}"; do
    if listening "$p"; then
      echo "stack.sh: port $p is already in use; set the port variables to move $name" >&2
      return 1
    fi
  done
  mkdir -p "$dir/logs" "$dir/pids"
  # setsid: own process group, so a Ctrl-C in the calling shell does not stop the stack.
  setsid "$@" >"$dir/logs/$name.log" 2>&1 < /dev/null &
  echo $! >"$(pidfile "$name")"
  wait_ports "$name" "${ports[@]}"
  echo "$name started (pid $!, port(s) ${ports[*]})"
}

write_env() {
  local cs="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob_port/$account;QueueEndpoint=http://127.0.0.1:$queue_port/$account;TableEndpoint=http://127.0.0.1:$table_port/$account;"
  cat >"$dir/stack.env" <<ENV
# Written by local/stack.sh start. Load with: set -a; . $dir/stack.env; set +a
AzureWebJobsStorage='$cs'
AZURE_STORAGE_CONNECTION_STRING='$cs'
AWS_ENDPOINT_URL_S3='http://127.0.0.1:$s3_port'
AWS_ACCESS_KEY_ID='S3RVER'
AWS_SECRET_ACCESS_KEY='S3RVER'
AWS_REGION='us-east-1'
S3_BUCKET='${buckets%% *}'
ENV
}

stop_one() {
  local name=$1 f; f=$(pidfile "$1")
  if ! running "$name"; then
    rm -f "$f"
    echo "$name not running"
    return 0
  fi
  local pid; pid=$(cat "$f")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$f"
  echo "$name stopped"
}

case "${1:-}" in
  start)
    "$here/install.sh"
    mkdir -p "$dir/azurite" "$dir/s3rver"
    start_one azurite "$blob_port" "$queue_port" "$table_port" -- \
      node "$here/node_modules/azurite/dist/src/azurite.js" \
      --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
      --tableHost 127.0.0.1 --tablePort "$table_port" --location "$dir/azurite" \
      --skipApiVersionCheck --loose --silent --disableTelemetry
    bucket_args=()
    for b in $buckets; do bucket_args+=(--configure-bucket "$b"); done
    # --openssl-legacy-provider: s3rver's ListObjectsV2 continuation tokens use DES.
    start_one s3rver "$s3_port" -- \
      node --openssl-legacy-provider "$here/node_modules/s3rver/bin/s3rver.js" \
      --address 127.0.0.1 --port "$s3_port" --directory "$dir/s3rver" --silent "${bucket_args[@]}"
    write_env
    echo "settings: $dir/stack.env (load with: set -a; . $dir/stack.env; set +a)"
    echo "stop with: $here/stack.sh stop"
    ;;
  stop)
    stop_one s3rver
    stop_one azurite
    if [ "${2:-}" = "--clean" ]; then
      rm -rf "$dir/azurite" "$dir/s3rver" "$dir/stack.env"
      echo "data deleted"
    fi
    ;;
  status)
    rc=0
    for name in azurite s3rver; do
      if running "$name"; then echo "$name running (pid $(cat "$(pidfile "$name")"))"; else echo "$name stopped"; rc=3; fi
    done
    [ -f "$dir/stack.env" ] && echo "settings: $dir/stack.env"
    exit $rc
    ;;
  env)
    echo "$dir/stack.env"
    ;;
  *)
    echo "usage: $0 start|stop [--clean]|status|env" >&2
    exit 2
    ;;
esac
