# Pattern Pursuit in a container: build on Debian 12, run on Debian 12 slim
# with only the shared libraries the programs link, CA certificates (every
# pp-fetch provider is https) and man (for `pp help`).  Both stages install
# packages with scripts/install-deps, the same script `make check` and the
# README use, so the three never disagree.  `make container-check` builds
# this file with podman and tests the image (scripts/container-check).
#
#   podman build -t pattern-pursuit .
#   podman run --rm pattern-pursuit fetch synth --symbols AAA --start 2024-01-02 --end 2024-03-29 --seed 1
#   podman run --rm -v pp-data:/data pattern-pursuit registry runs
#
# The programs run as the unprivileged user pp (uid 10001), in /data, which
# it owns and which is a volume: the registry ($PP_REGISTRY, /data/pp.db)
# and whatever the pipeline writes outlive the container.

FROM debian:12 AS build
WORKDIR /src
# The script alone first, so the package layer is cached across code edits.
COPY scripts/install-deps scripts/install-deps
RUN scripts/install-deps build && rm -rf /var/lib/apt/lists/*
COPY . .
# Stripped: the image carries no debug information (a third of each binary).
RUN make -j"$(nproc)" install DESTDIR=/out PREFIX=/usr/local && \
    strip --strip-unneeded /out/usr/local/bin/*

FROM debian:12-slim
COPY scripts/install-deps /tmp/install-deps
# slim's dpkg leaves out /usr/share/groff, without which man cannot format a
# page ("can't find 'DESC' file"): let groff's files in before installing.
RUN sed -i '\|/usr/share/groff/|d' /etc/dpkg/dpkg.cfg.d/docker && \
    /tmp/install-deps runtime && \
    rm -rf /var/lib/apt/lists/* /tmp/install-deps /var/log/apt \
	/var/log/dpkg.log /var/cache/debconf/*-old && \
    useradd --uid 10001 --user-group --no-create-home --home-dir /data \
	--shell /usr/sbin/nologin pp && \
    install -d -o pp -g pp -m 750 /data
COPY --from=build /out/ /
ENV PP_REGISTRY=/data/pp.db
WORKDIR /data
VOLUME /data
USER 10001:10001
ENTRYPOINT ["pp"]
CMD ["--help"]
# For a pp-serve container (`serve -m REF --listen 0.0.0.0:8080`): healthy
# while pp-serve says it is ready.  PP_SERVE_PORT names another port.  A
# batch container (fetch, train) ends before the start period does.  Docker
# image format only: build with --format docker (OCI images have no
# HEALTHCHECK; Kubernetes uses its own probes, deploy/k8s).
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${PP_SERVE_PORT:-8080}/v2/health/ready" || exit 1

# The version, revision and date are labelled by the build command
# (scripts/container-check: --label org.opencontainers.image.version=...).
LABEL org.opencontainers.image.title="pattern-pursuit" \
      org.opencontainers.image.description="Small Unix programs for market ML: fetch, features, train, predict, registry" \
      org.opencontainers.image.base.name="docker.io/library/debian:12-slim"
