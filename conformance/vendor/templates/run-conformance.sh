#!/bin/sh
# socle-bench without a CI service: start the bench, play the journeys with your DUI, keep the reports.
# Written by `socle-bench init-vendor`. Needs: python3 >= 3.11 (or the image ${image}:${version}).
set -eu
cd "$$(dirname "$$0")/.."
OUT=$${OUT:-out}
DATA=$${SOCLE_BENCH_DATA_DIR:-.socle-bench}
mkdir -p "$$OUT"
socle-bench serve --data-dir "$$DATA" > "$$OUT/bench.log" 2>&1 &
BENCH=$$!
trap 'kill $$BENCH 2>/dev/null || true; wait $$BENCH 2>/dev/null || true' EXIT INT TERM
URL=$${SOCLE_BENCH_URL:-http://127.0.0.1:8080}
for _ in $$(seq 1 120); do
  if socle-bench health --bench-url "$$URL" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
socle-bench health --bench-url "$$URL"
python3 -m pytest tests --bench-url "$$URL" --bench-pki "$$DATA/pki" \
  --bench-session "ci-$$(date +%s)" --junitxml="$$OUT/junit.xml" "$$@"
