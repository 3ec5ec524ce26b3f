# Pattern Pursuit in a container: build on Debian 12, run on Debian 12 slim
# with only the shared libraries the programs link (and man, for `pp help`).
# Both stages install packages with scripts/install-deps, the same script
# `make check` and the README use, so the three never disagree.
#
#   docker build -t pattern-pursuit .
#   docker run --rm pattern-pursuit fetch synth --symbols AAA --start 2024-01-02 --end 2024-03-29 --seed 1
#   docker run --rm -v "$PWD:/work" pattern-pursuit cat -B prices.csv -o prices.ppf

FROM debian:12 AS build
WORKDIR /src
# The script alone first, so the package layer is cached across code edits.
COPY scripts/install-deps scripts/install-deps
RUN scripts/install-deps build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN make -j"$(nproc)" install DESTDIR=/out PREFIX=/usr/local

FROM debian:12-slim
COPY scripts/install-deps /tmp/install-deps
RUN /tmp/install-deps runtime && rm -rf /var/lib/apt/lists/* /tmp/install-deps
COPY --from=build /out/ /
WORKDIR /work
ENTRYPOINT ["pp"]
CMD ["--help"]
