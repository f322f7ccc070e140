import Redis, { Cluster, type RedisOptions } from 'ioredis'
import type { Config } from '../config/schema'

export type RedisLike = Redis | Cluster
export type TierConfig = NonNullable<Config['tier']>

/**
 * Clients for the shared tier, standalone or Cluster through the same library (ioredis; why, in
 * docs/architecture.md). No offline queue: while Redis is away, a command fails at once instead of
 * waiting in a queue that turns an outage into unbounded waits; each command is bounded by the timeout.
 */
export function connect(tier: TierConfig): RedisLike {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: tier.redisTimeoutMs,
    connectTimeout: Math.max(tier.redisTimeoutMs, 1000),
    // Reconnect for ever, at most a second apart: recovery is automatic.
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  }
  if ('url' in tier.redis) return new Redis(tier.redis.url, options)
  return new Cluster(tier.redis.cluster, {
    enableOfflineQueue: false,
    clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    redisOptions: options,
  })
}

/** A second connection like the first, for the invalidation subscription (a subscribed connection runs no other commands). */
export function duplicate(client: RedisLike): RedisLike {
  // The same call on both; TypeScript cannot call it on the union of their two signatures.
  return client instanceof Cluster ? client.duplicate() : client.duplicate()
}
