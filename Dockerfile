# socle-bench images. Two targets from one build:
#   runtime (default, slim): the simulators, the conformance engine and the CLI, runtime dependencies only
#           -> ghcr.io/socle-bench/socle-bench:<version> and :latest
#   full:   + the test and load extras (pytest-xdist, zeep, playwright's client, locust, gunicorn)
#           -> ghcr.io/socle-bench/socle-bench:<version>-full and :full
# The command chooses what runs: `serve` (all), `serve --only ins` (one service), `check` (judge a session).
# The package installed is the wheel built from this tree, the same one tests/packaging installs and serves.
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY simulators ./simulators
COPY conformance ./conformance
COPY loadtests ./loadtests
COPY features ./features
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:${PYTHON_VERSION}-slim AS runtime
ARG VERSION=dev
LABEL org.opencontainers.image.title="socle-bench" \
      org.opencontainers.image.description="Simulators and conformance bench of the French e-health socle services" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/socle-bench/socle-bench"
WORKDIR /opt/socle-bench
COPY --from=build /wheels /tmp/wheels
RUN python -m venv .venv \
 && .venv/bin/pip install --no-cache-dir /tmp/wheels/*.whl \
 && rm -rf /tmp/wheels
COPY docker ./docker
# Never root at run time: an unprivileged user owns only the state directory (0700).
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/socle-bench --shell /usr/sbin/nologin socle \
 && install -d -m 0700 -o socle -g socle /var/lib/socle-bench
USER socle:socle
ENV PATH=/opt/socle-bench/.venv/bin:$PATH \
    SOCLE_BENCH_HOST=0.0.0.0 \
    SOCLE_BENCH_DATA_DIR=/var/lib/socle-bench \
    SOCLE_BENCH_ADMIN_PORT=8080
VOLUME /var/lib/socle-bench
# admin, INSi mTLS, INSi CPx, DMP, ROR, Annuaire Santé, Pro Santé Connect, SMTP submission, IMAP
EXPOSE 8080 8443 8448 8444 8445 8446 8447 8587 8143
# The admin port the bench was configured with (SOCLE_BENCH_ADMIN_PORT or SOCLE_BENCH_CONFIG), not a fixed one.
HEALTHCHECK --interval=10s --timeout=4s --start-period=20s CMD ["socle-bench", "health"]
ENTRYPOINT ["/opt/socle-bench/docker/entrypoint.sh"]
CMD ["serve"]

FROM runtime AS full
USER root
COPY --from=build /wheels /tmp/wheels
RUN wheel="$(ls /tmp/wheels/*.whl)" \
 && .venv/bin/pip install --no-cache-dir "${wheel}[test,load]" \
 && rm -rf /tmp/wheels
USER socle:socle
