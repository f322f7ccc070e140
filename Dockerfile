# fastcache container image.
#   docker build -t fastcache .
#   docker run --rm -p 7070:7070 fastcache [--max-memory 1gb ...]

# ---- build: compile the server into one self-contained executable ----------------------------
# The same Bun as package.json's packageManager. `bun run build` targets bun-linux-x64, so both
# stages are pinned to linux/amd64: on an arm64 host they run under emulation instead of producing
# an x64 binary inside an arm64 image that cannot execute it.
FROM --platform=linux/amd64 oven/bun:1.4.5 AS build
WORKDIR /app
# Manifests first: the dependency layer stays cached until package.json or bun.lock change.
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY tsconfig.json ./
COPY src ./src
# Writes /app/dist/fastcache; the version is read from package.json at build time.
RUN bun run build

# ---- run -------------------------------------------------------------------------------------
# debian:bookworm-slim rather than distroless: the binary needs only glibc, but the HEALTHCHECK
# needs something that can make an HTTP request. bash is always present in Debian (Essential) and
# can open TCP connections via /dev/tcp, so no curl or wget has to be installed.
FROM --platform=linux/amd64 debian:bookworm-slim
COPY --from=build /app/dist/fastcache /usr/local/bin/fastcache
# An unprivileged system user with no home or login shell; the server writes no files.
RUN groupadd --system --gid 10001 fastcache \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin fastcache
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
EXPOSE 7070
# GET /health over a raw socket (bash builtins only) and require a 200 status line. Exec form,
# because /bin/sh in Debian is dash, which has no /dev/tcp. The port is fixed: if you run the
# server on another --port, override this with `docker run --health-cmd ...`.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/7070 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == *' 200 '* ]]"]
# Exec form, so fastcache is PID 1 and gets `docker stop`'s SIGTERM directly (it handles it: stops
# accepting, then drains in-flight requests for up to 10 s). --host 0.0.0.0 because the default,
# 127.0.0.1, is unreachable through published ports. `docker run` arguments are appended to these;
# for a repeated flag the last one wins.
ENTRYPOINT ["/usr/local/bin/fastcache", "--host", "0.0.0.0"]
