# fastcache container image.
#   docker build -t fastcache .
#   docker run --rm -p 7070:7070 fastcache [--max-memory 1gb ...]

# ---- build: compile the server into one self-contained executable ----------------------------
# The same Bun as package.json's packageManager. `bun run build` targets bun-linux-x64, so both
# stages are pinned to linux/amd64: on an arm64 host they run under emulation instead of producing
# an x64 binary inside an arm64 image that cannot execute it.
FROM --platform=linux/amd64 oven/bun:1.4.5 AS build
WORKDIR /app
# Manifests first: the dependency layer stays cached until package.json, bun.lock or a patch change.
COPY package.json bun.lock ./
COPY patches ./patches
RUN bun install --frozen-lockfile
COPY tsconfig.json ./
COPY src ./src
# Writes /app/dist/fastcache; the version is read from package.json at build time.
RUN bun run build

# ---- run -------------------------------------------------------------------------------------
# A dated Debian image, so a rebuild gets the same base; the binary needs only glibc.
FROM --platform=linux/amd64 debian:12.11-slim
COPY --from=build /app/dist/fastcache /usr/local/bin/fastcache
# An unprivileged system user with no home or login shell, and /data for --data-dir, owned by it.
RUN groupadd --system --gid 10001 fastcache \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin fastcache \
 && mkdir /data && chown 10001:10001 /data
VOLUME /data
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
EXPOSE 7070
# The binary asks the server for GET /health itself: it reads the port and TLS files from the same
# FASTCACHE_* variables as the server, and tries HTTPS when plain HTTP gets no HTTP answer (TLS
# given as `docker run` arguments, which this command does not see). Set FASTCACHE_PORT rather
# than --port so the check follows a port change. test/e2e/docker.test.ts runs this exact command.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD ["fastcache", "--health-check"]
# Exec form, so fastcache is PID 1 and gets `docker stop`'s SIGTERM directly (it handles it: stops
# accepting, then drains in-flight requests for up to 10 s). --host 0.0.0.0 because the default,
# 127.0.0.1, is unreachable through published ports. `docker run` arguments are appended to these;
# for a repeated flag the last one wins.
ENTRYPOINT ["/usr/local/bin/fastcache", "--host", "0.0.0.0"]
