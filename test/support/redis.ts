import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Real redis-server processes for the shared-tier tests, on free loopback ports, without persistence.
 * Without redis-server on the machine the tests are skipped with one line saying why, unless
 * FASTCACHE_REQUIRE_REDIS is set (CI sets it), which makes the absence a failure.
 */
export const redisAvailable = Bun.which('redis-server') !== null
if (!redisAvailable) {
  if (process.env.FASTCACHE_REQUIRE_REDIS)
    throw new Error('redis-server is not installed, and FASTCACHE_REQUIRE_REDIS says the shared-tier tests must run')
  console.warn('shared-tier tests skipped: redis-server is not installed (apt-get install redis-server; CI sets FASTCACHE_REQUIRE_REDIS)')
}

/** A loopback port nothing listens on (at the moment of asking). */
export function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = server.port!
  server.stop(true)
  return port
}

async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + 5000
  for (;;) {
    const ping = Bun.spawnSync(['redis-cli', '-p', String(port), 'ping'])
    if (ping.stdout.toString().trim() === 'PONG') return
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer`)
    await Bun.sleep(20)
  }
}

export interface RedisServer {
  port: number
  url: string
  stop(): Promise<void>
  /** Starts it again on the same port (an empty Redis: nothing is persisted). */
  restart(): Promise<void>
  /** Stops it for good and removes its directory. */
  dispose(): Promise<void>
}

export async function startRedis(extra: string[] = [], port = freePort()): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fastcache-redis-'))
  let proc: Bun.Subprocess | undefined
  const launch = async () => {
    proc = Bun.spawn(
      ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra],
      { stdout: 'ignore', stderr: 'ignore' },
    )
    await waitForPing(port)
  }
  await launch()
  const stop = async () => {
    proc?.kill('SIGKILL')
    await proc?.exited
    proc = undefined
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    async restart() {
      await launch()
    },
    async dispose() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface RedisCluster {
  nodes: { host: string; port: number }[]
  dispose(): Promise<void>
}

/** A Redis Cluster of `primaries` nodes (no replicas), made with redis-cli --cluster create. */
export async function startRedisCluster(primaries = 3): Promise<RedisCluster> {
  const servers: RedisServer[] = []
  try {
    for (let i = 0; i < primaries; i++) {
      servers.push(
        await startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${i}.conf`, '--cluster-node-timeout', '2000']),
      )
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`)
    const create = Bun.spawnSync(['redis-cli', '--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'])
    if (create.exitCode !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stderr.toString()}${create.stdout.toString()}`)
    // The cluster is usable once every node agrees all slots are covered.
    const deadline = Date.now() + 10_000
    for (const server of servers) {
      for (;;) {
        const info = Bun.spawnSync(['redis-cli', '-p', String(server.port), 'cluster', 'info']).stdout.toString()
        if (info.includes('cluster_state:ok')) break
        if (Date.now() > deadline) throw new Error('the cluster did not reach cluster_state:ok')
        await Bun.sleep(50)
      }
    }
    return {
      nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })),
      dispose: async () => {
        for (const server of servers) await server.dispose()
      },
    }
  } catch (error) {
    for (const server of servers) await server.dispose()
    throw error
  }
}
