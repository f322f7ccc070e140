// Redis with the same keys and values, for RSS per key side by side: a fresh redis-server on loopback
// (no persistence, a scratch directory), RSS before and after loading with redis-cli --pipe.
import { settledRssKb } from '../http/memory'
import { loadRedis } from '../http/preload'
import { run } from '../http/procs'
import { startRedis } from '../http/servers'

export interface RedisResult {
  rss: number
  /** Redis's own count of its allocations (INFO used_memory) per key. */
  usedMemory: number
  seconds: number
  version: string
}

export async function redisPerKey(keys: number, valueBytes: number): Promise<RedisResult> {
  const redis = await startRedis()
  try {
    const cli = ['redis-cli', '-h', '127.0.0.1', '-p', String(redis.port)]
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await run([...cli, 'info', 'memory']))?.[1])
    const before = await settledRssKb(redis.child.pid)
    const usedBefore = await usedMemory()
    const started = performance.now()
    await loadRedis(redis.port, keys, valueBytes)
    const seconds = (performance.now() - started) / 1000
    const after = await settledRssKb(redis.child.pid)
    const dbsize = Number((await run([...cli, 'dbsize'])).trim())
    if (dbsize !== keys) throw new Error(`redis holds ${dbsize} keys, expected ${keys}`)
    const version = /redis_version:(\S+)/.exec(await run([...cli, 'info', 'server']))?.[1] ?? 'unknown'
    return { rss: ((after - before) * 1024) / keys, usedMemory: ((await usedMemory()) - usedBefore) / keys, seconds, version }
  } finally {
    await redis.stop()
  }
}
