// The store port the feature modules use (store.ts), with its local implementation; the shared
// tier's implementation is tier/shared-store.ts.
export type { BatchOutcome, BatchStep, BatchStepResult, KeyPage, KeyValues, Store, StoreCounters } from './store'
export type { DeleteResult, Entry, IncrResult, SetOptions, SetResult, WriteConditions } from './store'
export type { Acquired, Leases, WaitOutcome } from './leases'
export { all, then, type MaybePromise } from './maybe-promise'
export { StoreUnavailable } from './unavailable'
export { LocalStore } from './local-store'
export { LeaseTable } from './lease-table'
export { LeaseQuota, MAX_LEASES_PER_CLIENT } from './lease-quota'
