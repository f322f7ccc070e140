import type { CacheEngine } from '../cache'
import { LeaseTable } from './lease-table'
import type { BatchOutcome, BatchStep, BatchStepResult, KeyPage, Store } from './store'
import type { DeleteResult, Entry, IncrResult, SetOptions, SetResult, WriteConditions } from './store'

/** The engine's scan cursors are slot numbers. */
const CURSOR = /^[0-9]{1,15}$/

/**
 * The store on this instance's own engine. Every answer is synchronous, so the kv fast path never
 * waits on a promise, and a batch, run in one turn of the event loop, is atomic. Leases are the
 * instance's own table, judged on the engine's clock; the engine's counters are its stats, so the
 * store keeps none of its own.
 */
export class LocalStore implements Store {
  readonly maxBytes: number
  readonly leases: LeaseTable
  readonly counters = undefined

  constructor(private readonly engine: CacheEngine) {
    this.maxBytes = engine.maxBytes
    this.leases = new LeaseTable(engine)
  }

  now(): number {
    return this.engine.now()
  }

  chargeOf(key: string, valueBytes: number): number {
    return this.engine.chargeOf(key, valueBytes)
  }

  get(key: string): Entry | undefined {
    return this.engine.get(key)
  }

  peek(key: string): Entry | undefined {
    return this.engine.peek(key)
  }

  set(key: string, value: Uint8Array, contentType: string, options: SetOptions): SetResult {
    return this.engine.set(key, value, contentType, options)
  }

  delete(key: string, conditions: WriteConditions): DeleteResult {
    return this.engine.delete(key, conditions)
  }

  incr(key: string, by: number, ttlMs?: number): IncrResult {
    return this.engine.incr(key, by, ttlMs)
  }

  touch(key: string, ttlMs: number | null): Entry | undefined {
    return this.engine.touch(key, ttlMs)
  }

  isCursor(text: string): boolean {
    return CURSOR.test(text)
  }

  scan(prefix: string, limit: number, cursor: string | undefined): KeyPage {
    const page = this.engine.scan(prefix, limit, cursor === undefined ? 0 : Number(cursor))
    return { keys: page.keys, next: page.next === null ? null : String(page.next) }
  }

  deletePrefix(prefix: string): number {
    return this.engine.deletePrefix(prefix)
  }

  flush(): number {
    return this.engine.flush()
  }

  batch(steps: BatchStep[]): BatchOutcome {
    return { results: steps.map((step) => this.step(step)) }
  }

  private step(step: BatchStep): BatchStepResult {
    const { key } = step
    switch (step.op) {
      case 'get':
        return { op: 'get', entry: this.engine.get(key) }
      case 'set': {
        const { bytes, contentType, ttlMs, nx, xx, keepTtl } = step
        return { op: 'set', result: this.engine.set(key, bytes, contentType, { ttlMs, nx, xx, keepTtl }) }
      }
      case 'del':
        return { op: 'del', result: this.engine.delete(key) }
      case 'incr':
        return { op: 'incr', result: this.engine.incr(key, step.by) }
    }
  }
}
