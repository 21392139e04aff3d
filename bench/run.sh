#!/usr/bin/env bash
# Builds the benchmark harness (Release, its own output slot) and runs one benchmark:
#   bench/run.sh inference [--model mobilenetv2|resnet50] [--int8]
#   bench/run.sh peak
#   bench/run.sh sweep [--models mobilenetv2,resnet50]
#   bench/run.sh orchestration
#   bench/run.sh job [--source s3|local]
#   bench/run.sh scale [--images N] [--source local|s3] [--images-per-task N] [--pages-per-execution N] [--max-units-in-flight N]
#   bench/run.sh drop
#   bench/run.sh fairness [--low-images 20000] [--high-images 1000] [--tenant-images 5000] [--overhead-images 5000] [--parts a,b,c] [--slots N]
#   bench/run.sh dataio [--parts manifest,parquet,rerun,embeddings] [--manifest-rows 1000000] [--parquet-images 100000]
#                       [--rerun-images 100000 --rerun-failed 1000] [--embedding-images 10000] [--embedding-format jsonl|parquet]
# Results are key=value lines on stdout; diagnostics go to stderr. Never run in CI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export BUILD_SLOT="${BUILD_SLOT:-bench}"
if [[ "${BENCH_NO_BUILD:-}" != 1 ]]; then
  dotnet build bench/Serverless.Bench -c Release -v quiet -nologo >&2
fi
dll="$root/artifacts/slots/$BUILD_SLOT/bin/Serverless.Bench/release/Serverless.Bench.dll"
exec dotnet "$dll" "$@"
