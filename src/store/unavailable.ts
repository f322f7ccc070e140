/**
 * The store could not answer (the shared tier's Redis is down, or slower than --redis-timeout): the
 * caller answers without it. The one failure a store's promises reject with on purpose.
 */
export class StoreUnavailable extends Error {}
