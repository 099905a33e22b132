# Hotswap container image: build with the Swift 6 toolchain, run on Debian bookworm-slim.
#   docker build -t hotswap .
#   docker run -p 8080:8080 -v "$PWD/conf:/app/conf:ro" -v "$PWD/models:/app/models:ro" hotswap
# Saving conf/active.toml on the host switches traffic in the running container (inotify sees
# changes through a bind-mounted directory on Linux hosts).

# ---- build ----------------------------------------------------------------------------------
FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libinotifytools0-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so that a source change does not refetch them.
COPY Package.swift Package.resolved* ./
RUN swift package resolve
COPY Sources Sources
# The Swift runtime and Foundation are linked statically: the runtime image needs only glibc,
# libstdc++, zlib, libcurl and libinotifytools.
RUN swift build -c release --product hotswap --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/hotswap" /out/hotswap

# ---- run ------------------------------------------------------------------------------------
FROM debian:bookworm-slim
# libinotifytools0: the config watcher; libcurl4: the statically linked FoundationNetworking
# still loads it; curl: the HEALTHCHECK.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libinotifytools0 libcurl4 curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin hotswap \
 && install -d -o hotswap -g hotswap -m 0750 /app/state
COPY --from=build /out/hotswap /usr/local/bin/hotswap
# The bundled plan and models; mount your own over them. Model paths in active.toml are relative
# to the file (../models/...), so the two folders sit side by side as in the repository.
COPY conf/active.toml /app/conf/active.toml
COPY models /app/models
WORKDIR /app
ENV HOTSWAP_STATE_DIRECTORY=/app/state
VOLUME ["/app/conf", "/app/models", "/app/state"]
USER hotswap:hotswap
EXPOSE 8080
# SIGTERM drains in-flight requests and exits 0 (give `docker stop -t` at least the drain timeout).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS --max-time 2 http://127.0.0.1:8080/v2/health/ready || exit 1
ENTRYPOINT ["/usr/local/bin/hotswap"]
CMD ["serve", "--config", "/app/conf/active.toml", "--listen", "0.0.0.0:8080"]
