#!/bin/sh
# Container entrypoint: the console script of the installed wheel, listening on all interfaces.
#   docker run IMAGE                      -> serve every simulator
#   docker run IMAGE serve --only ins     -> one service
#   docker run -v "$PWD/out:/out" IMAGE check --session S --bench-url http://bench:8080 --junit /out/report.xml
# Run from a checkout (tests/core/test_docker.py) it uses the checkout's .venv, made by `make install`.
set -e
cd "$(dirname "$0")/.."
: "${SOCLE_BENCH_HOST:=0.0.0.0}"
export SOCLE_BENCH_HOST
if [ "$#" -eq 0 ]; then set -- serve; fi
exec .venv/bin/socle-bench "$@"
