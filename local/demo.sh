#!/usr/bin/env bash
# The README's run command: sets up everything on a fresh machine (npm packages, build),
# starts the local stack (Azurite + s3rver) and the host, uploads images, submits a batch job
# over HTTP, follows it with a progress bar and prints where the predictions are. The stack
# and the host keep running afterwards; `local/demo.sh stop` stops them.
#
#   local/demo.sh [IMAGE_DIR]   default: 300 synthetic images of known dominant colour,
#                               classified by the closed-form dominant-color model; with a
#                               folder of photos: the MobileNetV2-architecture model (seeded
#                               random weights: the labels are meaningless, the speed is real)
#   local/demo.sh stop          stop the host and the stack
#
# Settings: PORT (7071), MODEL (a .onnx of your own, with its manifest), and the ports of
# local/stack.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work="$root/.work"
port=${PORT:-7071}
host_pid="$work/pids/host.pid"

stop_host() {
  if [ -f "$host_pid" ] && kill -0 "$(cat "$host_pid")" 2>/dev/null; then
    local pid; pid=$(cat "$host_pid")
    # SIGTERM lets it finish or release its batches and give its leases back; that needs the
    # stack, so wait for it (up to its shutdown timeout) before the stack goes.
    kill "$pid"
    for _ in $(seq 1 450); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    echo "host stopped"
  fi
  rm -f "$host_pid"
}

if [ "${1:-}" = "stop" ]; then
  stop_host
  "$here/stack.sh" stop
  exit 0
fi

command -v dotnet >/dev/null || { echo "demo.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
command -v node >/dev/null || { echo "demo.sh: Node.js is required (for Azurite and s3rver)" >&2; exit 1; }

echo "== installing and building (first run only)"
"$here/install.sh"
"$root/serverless" --help >/dev/null

echo "== starting Azurite and s3rver"
"$here/stack.sh" start
set -a; . "$("$here/stack.sh" env)"; set +a
export SERVERLESS_URL="http://127.0.0.1:$port"
# A key for this demo's host, passed to the CLI too (every endpoint but /healthz needs one).
# The key goes to a file only the user can read; the output names the file, never the key
# (terminal scrollback and CI logs keep what is printed).
if [ ! -f "$work/demo.key" ]; then
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$work/demo.key")
fi
chmod 600 "$work/demo.key"
export SERVERLESS_MASTER_KEY=$(cat "$work/demo.key") SERVERLESS_KEY=$(cat "$work/demo.key")

mkdir -p "$work/demo/models" "$work/pids" "$work/logs"
if [ -n "${1:-}" ]; then
  images=$(cd "$1" && pwd)
  model=${MODEL:-$work/demo/models/mobilenetv2.onnx}
  [ -f "$model" ] || "$root/serverless" make-model mobilenetv2 --out "$model"
  prefix="photos-$(date +%s)/"
else
  images="$work/demo/images"
  [ -d "$images" ] || "$root/serverless" make-images --out "$images" --count 300
  model=${MODEL:-$work/demo/models/dominant-color.onnx}
  [ -f "$model" ] || "$root/serverless" make-model dominant-color --out "$model"
  prefix="synthetic/"
fi

echo "== uploading $images to s3://$S3_BUCKET/$prefix"
"$here/upload.sh" "$images" "s3://$S3_BUCKET/$prefix"

if ! curl -fsS "$SERVERLESS_URL/healthz" >/dev/null 2>&1; then
  echo "== starting the host on port $port (log: $work/logs/host.log)"
  # Its own session, its own output: nothing of this script's (stdin, stdout, a terminal) is left
  # open in it, so `out=$(local/demo.sh)` or `local/demo.sh | tee log` returns when the script does.
  # exec keeps the pid: the subshell becomes the host, so the pid file names the host itself.
  (cd "$root" && exec setsid dotnet "$root/artifacts/bin/Serverless.Cli/release/serverless.dll" host --port "$port" \
    >"$work/logs/host.log" 2>&1 </dev/null) &
  echo $! >"$host_pid"
  for _ in $(seq 1 300); do
    curl -fsS "$SERVERLESS_URL/healthz" >/dev/null 2>&1 && break
    kill -0 "$(cat "$host_pid")" 2>/dev/null || { echo "demo.sh: the host exited; its log:" >&2; tail -n 30 "$work/logs/host.log" >&2; exit 1; }
    sleep 0.2
  done
fi

echo "== submitting the job over HTTP (POST $SERVERLESS_URL/api/jobs)"
job="demo-$(date +%Y%m%d-%H%M%S)"
"$root/serverless" submit "s3://$S3_BUCKET/$prefix" --model "$model" --id "$job" --wait

echo
echo "== first predictions (all of them: ./serverless results $job)"
"$root/serverless" results "$job" | head -n 3
echo
echo "The stack and the host are still running (API: $SERVERLESS_URL; its master key is in $work/demo.key:"
echo "  export SERVERLESS_KEY=\$(cat $work/demo.key))."
echo "Dashboard: $SERVERLESS_URL/dashboard (it asks for the key); metrics: $SERVERLESS_URL/metrics (with the key)."
echo "Settings for other shells: set -a; . $("$here/stack.sh" env); set +a"
echo "Stop everything with: local/demo.sh stop"
