"""Load tests (locust) and the benchmark script (`python -m loadtests.bench`)."""
