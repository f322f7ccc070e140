// Resident memory per key: a fresh fastcache and a fresh redis-server, RSS before and after
// loading the same keys with the same values, the difference divided by the key count.
import { loadHttp, loadRedis } from './preload'
import { rssKb, run } from './procs'
import { startFastcache, startRedis } from './servers'

export interface MemoryFigures {
  beforeKb: number
  afterKb: number
  bytesPerKey: number
  loadSeconds: number
  /** What the server itself reports: fastcache's charged bytes, Redis's used_memory. */
  reportedBytes: number
}

export interface MemoryResult {
  keys: number
  size: number
  fastcache: MemoryFigures
  redis: MemoryFigures
}

/** RSS keeps moving for a moment after a load (GC, allocator purges): sample until it settles. */
export async function settledRssKb(pid: number): Promise<number> {
  let last = await rssKb(pid)
  for (let i = 0; i < 10; i++) {
    await Bun.sleep(300)
    const now = await rssKb(pid)
    if (Math.abs(now - last) < 256) return now
    last = now
  }
  return last
}

function figures(keys: number, beforeKb: number, afterKb: number, loadSeconds: number, reportedBytes: number): MemoryFigures {
  return { beforeKb, afterKb, bytesPerKey: ((afterKb - beforeKb) * 1024) / keys, loadSeconds, reportedBytes }
}

export async function measureMemory(keys: number, size: number, log: (message: string) => void): Promise<MemoryResult> {
  const fc = await startFastcache('2gb')
  let fastcache: MemoryFigures
  try {
    const before = await settledRssKb(fc.child.pid)
    const t0 = performance.now()
    await loadHttp(fc.url, keys, size)
    const seconds = (performance.now() - t0) / 1000
    const after = await settledRssKb(fc.child.pid)
    const stats = (await (await fetch(`${fc.url}/v1/stats`)).json()) as { items: number; bytes: number }
    if (stats.items !== keys) throw new Error(`fastcache holds ${stats.items} items, expected ${keys} (evictions?)`)
    fastcache = figures(keys, before, after, seconds, stats.bytes)
    log(`  fastcache: ${keys} keys in ${seconds.toFixed(1)} s, RSS ${before} -> ${after} KiB`)
  } finally {
    await fc.stop()
  }

  const redisServer = await startRedis()
  let redis: MemoryFigures
  try {
    const before = await settledRssKb(redisServer.child.pid)
    const t0 = performance.now()
    await loadRedis(redisServer.port, keys, size)
    const seconds = (performance.now() - t0) / 1000
    const after = await settledRssKb(redisServer.child.pid)
    const info = await run(['redis-cli', '-h', '127.0.0.1', '-p', String(redisServer.port), 'info', 'memory'])
    const used = Number(/used_memory:(\d+)/.exec(info)?.[1])
    const dbsize = Number((await run(['redis-cli', '-h', '127.0.0.1', '-p', String(redisServer.port), 'dbsize'])).trim())
    if (dbsize !== keys) throw new Error(`redis holds ${dbsize} keys, expected ${keys}`)
    redis = figures(keys, before, after, seconds, used)
    log(`  redis: ${keys} keys in ${seconds.toFixed(1)} s, RSS ${before} -> ${after} KiB`)
  } finally {
    await redisServer.stop()
  }
  return { keys, size, fastcache, redis }
}
