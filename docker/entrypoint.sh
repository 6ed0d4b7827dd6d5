#!/bin/sh
# Container entrypoint: the same console script `make serve` runs, listening on all interfaces.
#   docker run IMAGE                      -> serve every simulator
#   docker run IMAGE serve --only ins     -> one service
#   docker run IMAGE check --session S --bench-url http://bench:8080 --junit /out/report.xml
set -e
cd "$(dirname "$0")/.."
: "${SOCLE_BENCH_HOST:=0.0.0.0}"
export SOCLE_BENCH_HOST
if [ "$#" -eq 0 ]; then set -- serve; fi
exec .venv/bin/socle-bench "$@"
