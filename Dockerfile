# Borgerbudget server image: built from Debian's packages, like the two make commands.
FROM debian:bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential pkg-config libevent-dev libpq-dev libssl-dev libcjson-dev libgmp-dev zlib1g-dev libcurl4-openssl-dev libcjose-dev postgresql-common \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY server ./server
COPY tests/unit ./tests/unit
RUN make build/pbserver

# The browser libraries the pages use (scripts/vendor.sh: from npm into web/vendor/, no CDN).
FROM debian:bookworm-slim AS vendor
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY vendor/package.json vendor/package-lock.json ./vendor/
COPY scripts/vendor.sh ./scripts/
RUN scripts/vendor.sh

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libevent-2.1-7 libevent-pthreads-2.1-7 libevent-openssl-2.1-7 libpq5 libssl3 libcjson1 libgmp10 zlib1g libcurl4 libcjose0 libjansson4 curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /srv/borgerbudget borgerbudget
WORKDIR /srv/borgerbudget
COPY --from=build /src/build/pbserver ./build/pbserver
COPY schema ./schema
COPY web ./web
COPY --from=vendor /src/web/vendor ./web/vendor
COPY docs ./docs
RUN mkdir -p var && chown borgerbudget var
USER borgerbudget
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://localhost:8080/readyz || exit 1
ENTRYPOINT ["./build/pbserver", "--port", "8080", "--data-dir", "var"]
