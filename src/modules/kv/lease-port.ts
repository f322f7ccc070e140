import type { WaitOutcome } from './leases'
import type { MaybePromise } from './store'

/** What the kv routes need from leases: the instance's own table, or leases shared in Redis. */
export interface Leases {
  acquire(key: string, durationMs: number): MaybePromise<string | undefined | 'full'>
  holds(key: string, token: string): MaybePromise<boolean>
  /** The key was written with this lease: the lease is done. */
  completed(key: string, token: string): MaybePromise<void>
  /** The key was written (with or without a lease): waiters may read it now. */
  written(key: string): void
  wait(key: string, ms: number): Promise<WaitOutcome>
}
