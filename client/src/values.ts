import type { Duration } from './types.js'

// The values the client's calls take and give, apart from the client so that cache-aside can use
// them without importing the client (which imports cache-aside).

/** A value as given to put: bytes and strings are stored as they are, anything else as JSON. */
export type Value = string | Uint8Array | ArrayBuffer | Blob | number | boolean | null | object

export interface PutOptions {
  /** Time to live; without it the key lives until deleted (or the server's --default-ttl). */
  ttl?: Duration
  /** Soft expiry: served as stale this long past ttl (needs ttl). */
  stale?: Duration
  /** Only if the key does not exist. */
  nx?: boolean
  /** Only if the key exists. */
  xx?: boolean
  /** Keep the key's current TTL. */
  keepTtl?: boolean
  /** Only if the key has this version (compare-and-set). */
  ifVersion?: number
  /** Completes a lease taken with getWithLease. */
  lease?: string
  /** The value's media type; by default text/plain for strings, application/octet-stream for bytes, application/json otherwise. */
  contentType?: string
  signal?: AbortSignal
}

/** A stored value as read. */
export interface Stored {
  bytes: Uint8Array
  contentType: string
  version: number
  /** Past its soft expiry (served stale). */
  stale: boolean
  text(): string
  json<T = unknown>(): T
}

export interface LeasedRead {
  /** The value, when there is one (possibly stale). */
  value?: Stored
  /** A lease token: this caller should compute the value and put it with `{ lease }`. */
  lease?: string
}
