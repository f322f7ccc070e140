import { describe, expect, test } from 'bun:test'
import { CacheEngine, ManualClock, type Entry, type SetOptions } from '../../src/cache'
import { Rng } from '../../bench/hitratio/prng'

// The engine against a plain reference model (a Map of what was last written), under random
// operations: first with a bound that never evicts, so contents, versions, TTLs and every result must
// match exactly; then with a small bound, where the engine may hold less but never anything else.

const OCTET = 'application/octet-stream'
const TYPES = [OCTET, 'text/plain', 'application/json']
const DEFAULT_TTL = 5000

interface Stored {
  value: Uint8Array
  contentType: string
  version: number
  createdAt: number
  expiresAt: number
  staleAt: number
}

/** What the engine promises, written as simply as possible. */
class Model {
  readonly entries = new Map<string, Stored>()
  version = 0
  constructor(private readonly clock: ManualClock) {}

  live(key: string): Stored | undefined {
    const entry = this.entries.get(key)
    if (entry && entry.expiresAt !== 0 && entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key)
      return undefined
    }
    return entry
  }

  set(key: string, value: Uint8Array, contentType: string, options: SetOptions): string {
    const current = this.live(key)
    if ((options.nx && current) || (options.xx && !current)) return 'condition-failed'
    if (options.ifVersion !== undefined && current?.version !== options.ifVersion) return 'condition-failed'
    const now = this.clock.now()
    let expiresAt = now + DEFAULT_TTL
    let staleAt = 0
    if (options.ttlMs !== undefined) {
      expiresAt = now + options.ttlMs
      if (options.staleMs !== undefined) {
        staleAt = expiresAt
        expiresAt += options.staleMs
      }
    } else if (options.keepTtl && current) {
      expiresAt = current.expiresAt
      staleAt = current.staleAt
    }
    this.entries.set(key, {
      value: value.slice(),
      contentType,
      version: ++this.version,
      createdAt: current?.createdAt ?? now,
      expiresAt,
      staleAt,
    })
    return current ? 'replaced' : 'created'
  }

  incr(key: string, by: number, ttlMs: number | undefined): string {
    const current = this.live(key)
    let base = 0
    if (current) {
      const parsed = (() => {
        try {
          return JSON.parse(new TextDecoder().decode(current.value)) as unknown
        } catch {
          return undefined
        }
      })()
      if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed)) return 'not-integer'
      base = parsed
    }
    const now = this.clock.now()
    this.entries.set(key, {
      value: new TextEncoder().encode(String(base + by)),
      contentType: 'application/json',
      version: ++this.version,
      createdAt: current?.createdAt ?? now,
      expiresAt: current ? current.expiresAt : now + (ttlMs ?? DEFAULT_TTL),
      staleAt: current ? current.staleAt : 0,
    })
    return current ? 'updated' : 'created'
  }

  delete(key: string, ifVersion: number | undefined): string {
    const current = this.live(key)
    if (!current) return ifVersion === undefined ? 'absent' : 'condition-failed'
    if (ifVersion !== undefined && current.version !== ifVersion) return 'condition-failed'
    this.entries.delete(key)
    return 'deleted'
  }

  touch(key: string, ttlMs: number | null): boolean {
    const current = this.live(key)
    if (!current) return false
    current.expiresAt = ttlMs === null ? 0 : this.clock.now() + ttlMs
    current.staleAt = 0
    return true
  }
}

/** Keys of 1 to ~40 bytes, some with multi-byte characters, over a small space so keys repeat. */
function keyFor(n: number): string {
  const base = ['k', 'é', '漢', '😀', 'user:', 'user:é'][n % 6]!
  return `${base}${n}${'x'.repeat(n % 29)}`
}

/** Values from empty to 300 KB (past the arena's own-buffer threshold), mostly small, some integers. */
function valueFor(rng: Rng, tag: number): Uint8Array {
  const r = rng.float()
  if (r < 0.1) return new TextEncoder().encode(String(Math.floor(rng.float() * 2000) - 1000))
  const length = r < 0.8 ? Math.floor(rng.float() * 200) : r < 0.97 ? Math.floor(rng.float() * 20_000) : Math.floor(rng.float() * 300_000)
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i += 97) bytes[i] = (tag + i) & 0xff
  if (length > 0) bytes[length - 1] = tag & 0xff
  return bytes
}

function expectEntry(entry: Entry | undefined, key: string, stored: Stored | undefined): void {
  if (stored === undefined) {
    expect(entry).toBeUndefined()
    return
  }
  expect(entry).toBeDefined()
  expect(entry!.key).toBe(key)
  expect(entry!.value).toEqual(stored.value)
  expect([entry!.contentType, entry!.version, entry!.createdAt, entry!.expiresAt ?? 0, entry!.staleAt ?? 0]).toEqual([
    stored.contentType,
    stored.version,
    stored.createdAt,
    stored.expiresAt,
    stored.staleAt,
  ])
}

/**
 * Runs random operations on both. With `exact` every result must match the model's. Without (the
 * engine may evict), the model follows the engine's results instead: it records each write the engine
 * made, with the version and TTL the engine returned, and each delete it reported; whatever the
 * engine then returns must be that last write, never an older or a deleted one.
 */
function run(cache: CacheEngine, model: Model, clock: ManualClock, steps: number, seed: number, exact: boolean): void {
  const rng = new Rng(seed)
  const keySpace = 3000
  const pick = () => keyFor(Math.floor(rng.float() * keySpace))
  for (let step = 0; step < steps; step++) {
    const r = rng.float()
    const key = pick()
    if (r < 0.4) {
      const value = valueFor(rng, step)
      const type = TYPES[step % TYPES.length]!
      const options: SetOptions = {}
      const o = rng.float()
      if (o < 0.3) options.ttlMs = 1 + Math.floor(rng.float() * 3000)
      if (o < 0.1) options.staleMs = Math.floor(rng.float() * 2000)
      if (o > 0.3 && o < 0.4) options.keepTtl = true
      if (o > 0.9) options.nx = true
      if (o > 0.85 && o < 0.88) options.xx = true
      if (o > 0.8 && o < 0.82) options.ifVersion = model.live(key)?.version ?? 1
      const result = cache.set(key, value, type, options)
      if (exact) {
        expect(result.status).toBe(model.set(key, value, type, options) as never)
        if (result.status !== 'condition-failed') expect(result).toMatchObject({ version: model.version })
      } else if (result.status === 'created' || result.status === 'replaced') {
        expect(result.version).toBeGreaterThan(model.version)
        model.version = result.version
        const createdAt = result.status === 'replaced' ? (model.live(key)?.createdAt ?? -1) : clock.now()
        model.entries.set(key, {
          value: value.slice(),
          contentType: type,
          version: result.version,
          createdAt,
          expiresAt: result.expiresAt ?? 0,
          staleAt: result.staleAt ?? 0,
        })
      }
    } else if (r < 0.6) {
      const entry = rng.float() < 0.5 ? cache.get(key) : cache.peek(key)
      if (exact) expectEntry(entry, key, model.live(key))
      else if (entry) expectKept(entry, model.live(key))
    } else if (r < 0.7) {
      const ifVersion = rng.float() < 0.2 ? model.live(key)?.version : undefined
      const result = cache.delete(key, { ifVersion })
      if (exact) expect(result).toBe(model.delete(key, ifVersion) as never)
      else if (result === 'deleted') model.entries.delete(key)
    } else if (r < 0.8) {
      const by = Math.floor(rng.float() * 100) - 50
      const ttl = rng.float() < 0.5 ? 1 + Math.floor(rng.float() * 3000) : undefined
      if (exact) expect(cache.incr(key, by, ttl).status).toBe(model.incr(key, by, ttl) as never)
      else {
        const result = cache.incr(key, by, ttl)
        if (result.status === 'created' || result.status === 'updated') {
          model.version = result.version
          const entry = cache.peek(key)
          if (entry)
            model.entries.set(key, {
              ...entry,
              value: new TextEncoder().encode(String(result.value)),
              expiresAt: entry.expiresAt ?? 0,
              staleAt: entry.staleAt ?? 0,
            })
          else model.entries.delete(key)
        }
      }
    } else if (r < 0.85) {
      const ttl = rng.float() < 0.2 ? null : 1 + Math.floor(rng.float() * 3000)
      const touched = cache.touch(key, ttl)
      if (exact) expect(touched !== undefined).toBe(model.touch(key, ttl))
      else if (touched) model.touch(key, ttl)
    } else if (r < 0.95) {
      clock.advance(Math.floor(rng.float() * 200))
      if (rng.float() < 0.3) cache.sweepExpired()
    } else if (r < 0.951) {
      const prefix = ['user:', 'k1', '😀'][Math.floor(rng.float() * 3)]!
      const removed = cache.deletePrefix(prefix)
      let expected = 0
      for (const candidate of [...model.entries.keys()]) {
        if (!candidate.startsWith(prefix)) continue
        if (model.live(candidate)) expected++
        model.entries.delete(candidate)
      }
      if (exact) expect(removed).toBe(expected)
    }
    if (!exact) expect(cache.stats().bytes).toBeLessThanOrEqual(cache.maxBytes)
  }
}

/** An entry the bounded engine kept is the last write the model recorded for its key. */
function expectKept(entry: Entry, stored: Stored | undefined): void {
  expect(stored).toBeDefined()
  expect(entry.value).toEqual(stored!.value)
  expect([entry.contentType, entry.version, entry.expiresAt ?? 0, entry.staleAt ?? 0]).toEqual([
    stored!.contentType,
    stored!.version,
    stored!.expiresAt,
    stored!.staleAt,
  ])
}

/** Every entry the engine lists is the model's, exactly; with `exact`, the model has no others. */
function compareAll(cache: CacheEngine, model: Model, exact: boolean): void {
  // Reading a key removes it if expired, so the engine's item count and charge cover live entries only.
  for (let n = 0; n < 3000; n++) cache.has(keyFor(n))
  const seen = new Set<string>()
  for (let cursor: number | null = 0; cursor !== null; ) {
    const page = cache.entries(cursor, 500)
    for (const entry of page.entries) {
      expect(seen.has(entry.key)).toBe(false)
      seen.add(entry.key)
      if (exact) expectEntry(entry, entry.key, model.live(entry.key))
      else expectKept(entry, model.live(entry.key))
    }
    cursor = page.next
  }
  if (exact) {
    const live = [...model.entries.keys()].filter((key) => model.live(key))
    expect(seen.size).toBe(live.length)
    let charged = 0
    for (const key of live) charged += cache.chargeOf(key, model.entries.get(key)!.value.byteLength)
    expect(cache.stats()).toMatchObject({ items: live.length, bytes: charged })
  }
}

describe('engine against a reference model', () => {
  test('with eviction off: every result, value, version and TTL matches', () => {
    const clock = new ManualClock()
    const cache = new CacheEngine({ maxBytes: 1 << 30, clock, defaultTtlMs: DEFAULT_TTL, sweepIntervalMs: 0 })
    const model = new Model(clock)
    for (let round = 0; round < 4; round++) {
      run(cache, model, clock, 10_000, 1000 + round, true)
      compareAll(cache, model, true)
    }
    expect(cache.stats().evictions).toBe(0)
    expect(cache.memory().movedBytes).toBe(0)
  })

  test('with a small bound: the bound holds and whatever the engine keeps is exactly what was last written', () => {
    const clock = new ManualClock()
    const cache = new CacheEngine({ maxBytes: 2 * 1024 * 1024, clock, defaultTtlMs: DEFAULT_TTL, sweepIntervalMs: 0 })
    const model = new Model(clock)
    for (let round = 0; round < 4; round++) {
      run(cache, model, clock, 10_000, 2000 + round, false)
      compareAll(cache, model, false)
    }
    expect(cache.stats().evictions).toBeGreaterThan(0)
  })
})
