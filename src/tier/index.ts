// Values here never load the Redis client library: only ./redis-connection does, and app.ts
// requires it when a tier is configured.
export { SharedStore } from './shared-store'
export type { TierCounters } from './counters'
export type { RedisLike, TierConfig } from './redis-connection'
