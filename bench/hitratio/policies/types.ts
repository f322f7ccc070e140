import type { Trace } from '../trace'

/** One cache under test. The replay feeds it every request of a trace, in order. */
export interface Policy {
  /**
   * Looks `key` up; on a miss, stores it (or declines to) within the capacity. Returns whether it
   * was a hit. `weight` is the key's charge in bytes; an object heavier than the capacity is never stored.
   */
  access(key: number, weight: number): boolean
  close?(): void
}

export interface PolicyContext {
  /** Budget in bytes: entries × KEY_BYTES for entry-count traces, a byte budget for sized ones. */
  capacity: number
  trace: Trace
}

export type PolicyKind = 'fastcache' | 'classic' | 'peer' | 'offline'

export interface PolicySpec {
  name: string
  kind: PolicyKind
  create(context: PolicyContext): Policy
  /** Only some policies make sense on some traces (the size-aware bound needs sizes). */
  appliesTo?(trace: Trace): boolean
}
