// The store port: what the feature modules need of whatever keeps their entries (see Store, below).
import type { DeleteResult, Entry, IncrResult, SetOptions, SetResult, WriteConditions } from '../cache'
import type { Leases } from './leases'
import type { MaybePromise } from './maybe-promise'

export type { DeleteResult, Entry, IncrResult, SetOptions, SetResult, WriteConditions }

/**
 * Single-key operations, all a key's routes need besides leases. CacheEngine meets this part as it
 * is, so its callers (and tests) may hand it over directly.
 */
export interface KeyValues {
  /** The whole cache bound: an entry charged more than this is never stored. */
  readonly maxBytes: number
  /** The clock entries' times are on (TTLs, soft expiry). */
  now(): number
  /** A client's read: counted, and may come from a near copy. */
  get(key: string): MaybePromise<Entry | undefined>
  /** A read for a write's conditions: never counted, and never from a near copy. */
  peek(key: string): MaybePromise<Entry | undefined>
  set(key: string, value: Uint8Array, contentType: string, options: SetOptions): MaybePromise<SetResult>
  delete(key: string, conditions: WriteConditions): MaybePromise<DeleteResult>
  incr(key: string, by: number, ttlMs?: number): MaybePromise<IncrResult>
  touch(key: string, ttlMs: number | null): MaybePromise<Entry | undefined>
}

/** One page of a key listing; `next` is the cursor of the following page, null at the end. */
export interface KeyPage {
  keys: string[]
  next: string | null
}

/** One operation of a batch, checked beforehand (key, size, conditions). */
export type BatchStep =
  | { op: 'get'; key: string }
  | { op: 'del'; key: string }
  | { op: 'incr'; key: string; by: number }
  | { op: 'set'; key: string; bytes: Uint8Array; contentType: string; ttlMs?: number; nx: boolean; xx: boolean; keepTtl: boolean }

export type BatchStepResult =
  | { op: 'get'; entry: Entry | undefined }
  | { op: 'set'; result: SetResult }
  | { op: 'del'; result: DeleteResult }
  | { op: 'incr'; result: IncrResult }

export interface BatchOutcome {
  /** One result a step, in the steps' order. */
  results: BatchStepResult[]
  /**
   * Said only by a store whose batches may not be atomic (the shared tier on a Redis Cluster, when
   * keys are in several slots): whether this one was. Undefined: batches always are.
   */
  atomic?: boolean
}

/** A store's own counters (none for the local engine), each with what it counts, for /v1/stats and /metrics. */
export interface StoreCounters {
  readonly values: Readonly<Record<string, number>>
  readonly help: Readonly<Record<string, string>>
}

/**
 * The one port the feature modules keep key-value entries through, whatever holds them: the local
 * engine (`LocalStore`, every answer synchronous) or the shared tier (Redis with a near cache,
 * `tier/shared-store.ts`, a promise whenever Redis is asked). Modules handle both answers with
 * `then()` and never ask which store they have. A store that cannot answer rejects with
 * `StoreUnavailable`; the caller answers without it (a read as a miss, a write 503).
 */
export interface Store extends KeyValues {
  /** What an entry costs against maxBytes: a batch refuses, before any step runs, an entry that can never fit. */
  chargeOf(key: string, valueBytes: number): number
  /** Whether `text` can be a cursor this store's scan handed out (each store has its own form). */
  isCursor(text: string): boolean
  /** Keys starting with `prefix` ('' for all), a page at a time; a key that exists for the whole walk is listed. */
  scan(prefix: string, limit: number, cursor: string | undefined): MaybePromise<KeyPage>
  /** Deletes every key starting with a non-empty prefix; how many. */
  deletePrefix(prefix: string): MaybePromise<number>
  /** Deletes every key; how many. */
  flush(): MaybePromise<number>
  /** Runs the steps in order, as one atomic unit where the store can (see BatchOutcome.atomic). */
  batch(steps: BatchStep[]): MaybePromise<BatchOutcome>
  readonly leases: Leases
  readonly counters: StoreCounters | undefined
}
