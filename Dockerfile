# Hotswap container image: build with the Swift 6 toolchain, run on Debian bookworm-slim.
#   docker build -t hotswap .            (or: podman build --format docker -t hotswap .)
#   docker run -p 8080:8080 -v "$PWD/conf:/app/conf:ro" -v "$PWD/models:/app/models:ro" hotswap
# Saving conf/active.toml on the host switches traffic in the running container (inotify sees
# changes through a bind-mounted directory on Linux hosts). podman needs `--format docker`: the
# OCI image format has no HEALTHCHECK.
# Image names are fully qualified: podman (Debian 12's, among others) refuses short names.

# ---- build ----------------------------------------------------------------------------------
FROM docker.io/library/swift:6.3-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libinotifytools0-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Everything Package.swift declares must exist for SwiftPM to load it, although only the
# `hotswap` product is built: the sources, the test targets (Tests/) and the gRPC benchmark's
# reference servers (bench/grpc/reference). .dockerignore lets exactly these in;
# tests/deploy/test_container_context.py checks the two files against the manifest.
COPY Package.swift Package.resolved* ./
COPY Sources Sources
COPY Tests Tests
COPY bench/grpc/reference bench/grpc/reference
# The package checkouts and the build folder live in a build cache (Docker BuildKit and podman
# both keep it between builds), so a source change rebuilds our modules, not the dependencies.
# The Swift runtime is linked statically: the runtime image needs only glibc, libstdc++, zlib
# and libinotifytools.
RUN --mount=type=cache,id=hotswap-swift-build,target=/src/.build,sharing=locked \
    swift build -c release --product hotswap --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/hotswap" /out/hotswap

# ---- run ------------------------------------------------------------------------------------
FROM docker.io/library/debian:bookworm-slim
# libinotifytools0: the config watcher; curl: the HEALTHCHECK. The service user has a fixed uid
# and gid (10001), so files on the host and the Kubernetes securityContext can name it.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libinotifytools0 curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 hotswap \
 && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin hotswap \
 && install -d -o 10001 -g 10001 -m 0750 /app/state
COPY --from=build /out/hotswap /usr/local/bin/hotswap
# The bundled plan and models; mount your own over them. Model paths in active.toml are relative
# to the file (../models/...), so the two folders sit side by side as in the repository.
COPY conf/active.toml /app/conf/active.toml
COPY models /app/models
WORKDIR /app
ENV HOTSWAP_STATE_DIRECTORY=/app/state
VOLUME ["/app/conf", "/app/models", "/app/state"]
# Numeric, so that Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
EXPOSE 8080
# SIGTERM drains in-flight requests and exits 0 (give `docker stop -t` at least the drain timeout).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS --max-time 2 http://127.0.0.1:8080/v2/health/ready || exit 1
ENTRYPOINT ["/usr/local/bin/hotswap"]
CMD ["serve", "--config", "/app/conf/active.toml", "--listen", "0.0.0.0:8080"]
