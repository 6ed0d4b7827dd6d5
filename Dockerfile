# One image for every simulator: the command chooses `serve` (all), `serve --only ins` (one
# service) or `check` (judge a session). The build runs the same `make install` as `make serve`.
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends make \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/socle-bench
COPY pyproject.toml Makefile README.md ./
COPY simulators ./simulators
COPY conformance ./conformance
COPY loadtests ./loadtests
COPY features ./features
COPY docker ./docker
RUN make install PYTHON=python3

# Never root at run time: an unprivileged user owns only the state directory (0700).
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/socle-bench --shell /usr/sbin/nologin socle \
 && install -d -m 0700 -o socle -g socle /var/lib/socle-bench
USER socle:socle

ENV SOCLE_BENCH_HOST=0.0.0.0 \
    SOCLE_BENCH_DATA_DIR=/var/lib/socle-bench
VOLUME /var/lib/socle-bench
EXPOSE 8080 8443 8444 8445 8446 8447 8587 8143
HEALTHCHECK --interval=10s --timeout=3s CMD python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/_bench/health', timeout=2)" || exit 1
ENTRYPOINT ["/opt/socle-bench/docker/entrypoint.sh"]
CMD ["serve"]
