/** What the shared tier counts of its own work (a type, not an interface: it is a record of numbers). */
export type TierCounters = {
  nearHits: number
  redisHits: number
  misses: number
  redisErrors: number
  invalidationsSent: number
  invalidationsReceived: number
}

/** What each counter counts, for /metrics. */
export const TIER_COUNTER_HELP: Record<keyof TierCounters, string> = {
  nearHits: "Key reads answered from this instance's near cache.",
  redisHits: 'Key reads answered by Redis.',
  misses: 'Key reads Redis did not have.',
  redisErrors: 'Redis commands that failed or timed out.',
  invalidationsSent: 'Invalidations this instance published after its writes.',
  invalidationsReceived: 'Invalidations received from other instances.',
}
