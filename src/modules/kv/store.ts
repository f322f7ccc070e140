import type { DeleteResult, Entry, IncrResult, SetOptions, SetResult, WriteConditions } from '../../cache'
import type { MaybePromise } from '../../store/maybe-promise'

/**
 * Where key-value routes keep their entries: the local engine (synchronous) or the shared tier
 * (Redis with a near cache, asynchronous). CacheEngine satisfies it as it is.
 */
export interface KvStore {
  readonly maxBytes: number
  now(): number
  get(key: string): MaybePromise<Entry | undefined>
  /** A read for a write's conditions: never counted, and never from a near copy. */
  peek(key: string): MaybePromise<Entry | undefined>
  set(key: string, value: Uint8Array, contentType: string, options: SetOptions): MaybePromise<SetResult>
  delete(key: string, conditions: WriteConditions): MaybePromise<DeleteResult>
  incr(key: string, by: number, ttlMs?: number): MaybePromise<IncrResult>
  touch(key: string, ttlMs: number | null): MaybePromise<Entry | undefined>
}

