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
  if (process.env.FASTCACHE_REQUIRE_REDIS) throw new Error('redis-server is not installed, and FASTCACHE_REQUIRE_REDIS says the shared-tier tests must run')
  console.warn('shared-tier tests skipped: redis-server is not installed (apt-get install redis-server; CI sets FASTCACHE_REQUIRE_REDIS)')
}

function freePort(): number {
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

export async function startRedis(extra: string[] = []): Promise<RedisServer> {
  const port = freePort()
  const dir = mkdtempSync(join(tmpdir(), 'fastcache-redis-'))
  let proc: Bun.Subprocess | undefined
  const launch = async () => {
    proc = Bun.spawn(['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], { stdout: 'ignore', stderr: 'ignore' })
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
