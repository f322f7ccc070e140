import type { MaybePromise } from './maybe-promise'

/**
 * What taking a lease gave: a token, undefined when someone else holds the key's lease, 'full' when
 * the table has no room (the caller goes on without one), 'client-full' when this client holds its bound.
 */
export type Acquired = string | undefined | 'full' | 'client-full'

/** What ended a wait on a key's lease. */
export type WaitOutcome = 'written' | 'released' | 'timeout'

/**
 * Leases against cache stampedes, as a store keeps them: the instance's own table, or leases shared
 * in Redis. Failures of a shared store reject with StoreUnavailable.
 */
export interface Leases {
  /** `client` names who asks (its token, or its address), for the per-client bound. */
  acquire(key: string, durationMs: number, client: string): MaybePromise<Acquired>
  holds(key: string, token: string): MaybePromise<boolean>
  /** The key was written with this lease: the lease is done. */
  completed(key: string, token: string): MaybePromise<void>
  /** The key was written (with or without a lease): waiters may read it now. */
  written(key: string): void
  /**
   * The holder is done with the key, whether it wrote it or not: the lease ends, and its waiters
   * (on every instance sharing the leases) look again at once instead of waiting out the lease.
   */
  release(key: string, token: string): MaybePromise<void>
  wait(key: string, ms: number): Promise<WaitOutcome>
}
