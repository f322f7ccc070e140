// The fastcache instances of the cluster benchmark: dist/fastcache on its own free loopback port, either
// on the shared Redis tier (--redis) with a given near-cache TTL, or standalone (in memory only).
import { freePort, start, stop, waitUntil, type Child } from '../http/procs'
import { BINARY } from '../http/servers'
import type { TierCounters } from '../../src/tier/counters'

/** The `tier` object of GET /v1/stats (only with --redis): the server's own counters type. */
export type TierStats = TierCounters

export interface Instance {
  /** A, B, C (on Redis) or S (standalone), as the report names them. */
  name: string
  url: string
  /** The flags it was started with after --host/--port, for the report. */
  flags: string[]
  child: Child
  stop(): Promise<void>
}

export interface InstanceOptions {
  maxMemory: string
  /** Port of the shared Redis; undefined for a standalone instance. */
  redisPort?: number
  /** --near-cache-ttl, e.g. "60s" or "0" (only with redisPort). */
  nearCacheTtl?: string
}

/** The environment without FASTCACHE_* variables, so the machine's settings cannot change the server (as bench/http). */
function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FASTCACHE_')))
}

const healthy = (url: string) => async () => {
  const response = await fetch(url)
  return response.status === 200 && ((await response.json()) as { status?: string }).status === 'ok'
}

export async function startInstance(name: string, options: InstanceOptions): Promise<Instance> {
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const flags = ['--max-memory', options.maxMemory, '--log-level', 'warn']
  if (options.redisPort !== undefined) {
    flags.push('--redis', `redis://127.0.0.1:${options.redisPort}`, '--near-cache-ttl', options.nearCacheTtl ?? '5s')
  }
  const child = start([BINARY, '--host', '127.0.0.1', '--port', String(port), ...flags], { env: cleanEnv() })
  // /health answers 200 even while Redis is away ({"status":"degraded"}): ready means "ok", i.e. Redis connected.
  await waitUntil(`fastcache ${name}`, child, healthy(`${url}/health`), 15_000)
  return { name, url, flags, child, stop: () => stop(child) }
}

/** The instance's tier counters; throws for a standalone instance, which has none. */
export async function tierStats(instance: Instance): Promise<TierStats> {
  const stats = (await (await fetch(`${instance.url}/v1/stats`)).json()) as { tier?: TierStats }
  if (stats.tier === undefined) throw new Error(`${instance.name}: /v1/stats has no tier counters (not on Redis?)`)
  return stats.tier
}

/** Counter growth from `a` to `b`. */
export function tierDelta(a: TierStats, b: TierStats): TierStats {
  return {
    nearHits: b.nearHits - a.nearHits,
    redisHits: b.redisHits - a.redisHits,
    misses: b.misses - a.misses,
    redisErrors: b.redisErrors - a.redisErrors,
    invalidationsSent: b.invalidationsSent - a.invalidationsSent,
    invalidationsReceived: b.invalidationsReceived - a.invalidationsReceived,
  }
}
