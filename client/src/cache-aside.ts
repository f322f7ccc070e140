import { FastcacheError } from './errors.js'
import type { Duration } from './types.js'
import type { LeasedRead, PutOptions, Stored, Value } from './values.js'

/** What cached() needs of a client (FastcacheClient is one): a read that may take a lease, and a write. */
export interface CacheAsideClient {
  getWithLease(name: string, options: { lease: Duration; wait?: Duration; timeoutMs?: number }): Promise<LeasedRead>
  put(name: string, value: Value, options?: PutOptions): Promise<unknown>
}

export interface CacheAsideOptions<T> {
  /** How long a computed value is fresh (default 60 s). */
  ttl?: Duration
  /** How long past ttl it is still served, stale, while one caller refreshes it (default: none). */
  stale?: Duration
  /** How long one caller may take to compute a missing value while the others wait for it (default 5 s). */
  lease?: Duration
  /** How long the others wait for it at most (default: the lease). */
  wait?: Duration
  /** The value as stored (default JSON). */
  serialize?: (value: T) => string
  /** The value from what was stored (default JSON). */
  deserialize?: (stored: Stored) => T
  /** Hears of a failure that was worked around: the cache unreachable (the value is computed), a store that failed. */
  onError?: (error: unknown) => void
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** A duration in milliseconds (whole seconds, or a number with a unit), as the server reads it. */
export function durationMs(value: Duration): number {
  if (typeof value === 'number') return value * 1000
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim())
  if (match === null) throw new RangeError(`not a duration: ${value}`)
  return Number(match[1]) * UNITS[match[2] ?? 's']!
}

/**
 * Cache-aside for one key, with leases and soft expiry against stampedes: the value from the cache
 * when it is there; on a miss, exactly one caller (the one granted the lease) runs `compute` and
 * stores its result while the others wait for it; a stale value (past `ttl`, within `stale`) is
 * returned at once, and the one caller granted the lease refreshes it in the background. When the
 * cache cannot be reached, the value is computed (and `onError` told).
 */
export async function cached<T>(
  client: CacheAsideClient,
  key: string,
  compute: () => Promise<T>,
  options: CacheAsideOptions<T> = {},
): Promise<T> {
  const lease = options.lease ?? '5s'
  const serialize = options.serialize ?? ((value: T) => JSON.stringify(value))
  const deserialize = options.deserialize ?? ((stored: Stored) => stored.json<T>())
  const report = options.onError ?? (() => {})
  const store = async (value: T, token: string) => {
    try {
      const contentType = options.serialize === undefined ? 'application/json' : 'text/plain; charset=utf-8'
      await client.put(key, serialize(value), { ttl: options.ttl ?? 60, stale: options.stale, lease: token, contentType })
    } catch (error) {
      // LEASE_INVALID: the lease ran out before the value was ready; someone else fills the key.
      report(error)
    }
  }
  let read: LeasedRead
  try {
    // The server holds this read until the holder writes (or the wait ends): allow for that.
    const waitMs = durationMs(options.wait ?? lease)
    read = await client.getWithLease(key, { lease, wait: options.wait, timeoutMs: waitMs + 5000 })
  } catch (error) {
    if (!(error instanceof FastcacheError)) throw error
    report(error)
    return compute()
  }
  if (read.value !== undefined) {
    const value = deserialize(read.value)
    const token = read.lease
    // Stale, and this caller holds the lease: refresh it for everyone, without making this caller wait.
    if (token !== undefined) void compute().then((fresh) => store(fresh, token), report)
    return value
  }
  const value = await compute()
  // Without a lease (the wait ran out, or none was free) the value is used, not stored: the holder stores it.
  if (read.lease !== undefined) await store(value, read.lease)
  return value
}
