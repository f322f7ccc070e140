export { SharedStore, TierUnavailable, INVALIDATION_CHANNEL, type TierCounters } from './shared-store'
export { connect, duplicate, type RedisLike, type TierConfig } from './redis-connection'
