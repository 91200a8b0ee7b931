# Borgerbudget server image: built from Debian's packages, like the two make commands.
FROM debian:bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential pkg-config libevent-dev libpq-dev libssl-dev libcjson-dev libcsv-dev libgmp-dev zlib1g-dev libcurl4-openssl-dev libcjose-dev postgresql-common \
        libturbojpeg0-dev libexif-dev libpng-dev libwebp-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY server ./server
COPY tests/unit ./tests/unit
RUN make build/pbserver

# the pages' libraries (Leaflet) from the npm registry, as make run does
FROM debian:bookworm-slim AS web
RUN apt-get update && apt-get install -y --no-install-recommends npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY scripts/vendor-web.sh ./scripts/
COPY scripts/web-vendor/package.json scripts/web-vendor/package-lock.json ./scripts/web-vendor/
COPY web ./web
RUN scripts/vendor-web.sh

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libevent-2.1-7 libevent-pthreads-2.1-7 libevent-openssl-2.1-7 libpq5 libssl3 libcjson1 libcsv3 libgmp10 zlib1g libcurl4 libcjose0 libjansson4 curl ca-certificates \
        libturbojpeg0 libexif12 libpng16-16 libwebp7 libwebpdemux2 \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /srv/borgerbudget borgerbudget
WORKDIR /srv/borgerbudget
COPY --from=build /src/build/pbserver ./build/pbserver
COPY schema ./schema
COPY --from=web /src/web ./web
COPY docs ./docs
RUN mkdir -p var && chown borgerbudget var
USER borgerbudget
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://localhost:8080/readyz || exit 1
ENTRYPOINT ["./build/pbserver", "--port", "8080", "--data-dir", "var"]
