import { describe, expect, test } from 'bun:test'
import { CacheEngine, ManualClock, emptyRawEntry, type Entry, type RawEntry } from '../../src/cache'

// dump() and load(): the engine's entries as bytes, for snapshots (what persistence writes and reads).

const OCTET = 'application/octet-stream'
const MiB = 1 << 20

function engine(maxBytes = 64 * MiB, clock = new ManualClock()) {
  return new CacheEngine({ maxBytes, clock, sweepIntervalMs: 0 })
}

function valueFor(length: number, tag: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (tag * 31 + i * 7) & 0xff)
}

/** A RawEntry that owns copies of its bytes (dump's are only valid during the call). */
function copied(entry: RawEntry): RawEntry {
  const keyBytes = entry.keyBytes.slice(entry.keyStart, entry.keyStart + entry.keyLength)
  const valueBytes = entry.valueBytes.slice(entry.valueStart, entry.valueStart + entry.valueLength)
  return { ...entry, keyBytes, keyStart: 0, valueBytes, valueStart: 0 }
}

function dumpAll(cache: CacheEngine): RawEntry[] {
  const all: RawEntry[] = []
  for (let cursor: number | null = 0; cursor !== null; ) {
    cursor = cache.dump(cursor, (entry) => {
      all.push(copied(entry))
      return true
    })
  }
  return all
}

const keyText = (entry: RawEntry) => new TextDecoder().decode(entry.keyBytes.subarray(entry.keyStart, entry.keyStart + entry.keyLength))

function raw(key: string, value: Uint8Array, fields: Partial<RawEntry> = {}): RawEntry {
  const keyBytes = new TextEncoder().encode(key)
  // Key and value inside a larger buffer, at odd offsets, as they lie in a file.
  const buffer = new Uint8Array(3 + keyBytes.byteLength + value.byteLength + 5)
  buffer.set(keyBytes, 3)
  buffer.set(value, 3 + keyBytes.byteLength)
  return {
    ...emptyRawEntry(),
    keyBytes: buffer,
    keyStart: 3,
    keyLength: keyBytes.byteLength,
    valueBytes: buffer,
    valueStart: 3 + keyBytes.byteLength,
    valueLength: value.byteLength,
    contentType: OCTET,
    version: 1,
    createdAt: Date.UTC(2030, 0, 1),
    ...fields,
  }
}

const sizes = [0, 1, 47, 48, 100, 4095, 64 * 1024 - 1, 64 * 1024 + 1, MiB]

describe('dump and load', () => {
  test('what dump hands out loads into another engine as the same entries: values of every size, soft expiry, types, times', () => {
    const clock = new ManualClock()
    const source = engine(64 * MiB, clock)
    for (const [i, size] of sizes.entries()) source.set(`size:${size}`, valueFor(size, i), i % 2 ? OCTET : 'text/plain; charset=utf-8')
    source.set('ключ/😀', valueFor(30, 99), 'text/plain', { ttlMs: 60_000 })
    source.set('soft', valueFor(10, 98), 'application/json', { ttlMs: 60_000, staleMs: 30_000 })
    clock.advance(10)
    source.set('size:100', valueFor(100, 97), OCTET) // rewritten: keeps its creation time, takes a new version
    source.set('expired', valueFor(5, 96), OCTET, { ttlMs: 5 })
    clock.advance(10)
    const dumped = dumpAll(source)
    expect(dumped.map(keyText).sort()).toEqual([...sizes.map((size) => `size:${size}`), 'ключ/😀', 'soft'].sort())

    const target = engine(64 * MiB, clock)
    for (const entry of dumped) expect(target.load(entry)).toBe(true)
    const keys = dumped.map(keyText)
    expect(keys.map((key) => target.peek(key))).toEqual(keys.map((key) => source.peek(key)))
    expect(target.currentVersion).toBe(source.currentVersion - 1) // the expired entry's version was not dumped
    expect(target.stats().bytes).toBe(source.stats().bytes - source.chargeOf('expired', 5))
  })

  test('a walk taken in steps sees every entry once; an entry not taken starts the next step', () => {
    const cache = engine()
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, valueFor(20, i), OCTET)
    const seen: string[] = []
    let steps = 0
    for (let cursor: number | null = 0; cursor !== null; steps++) {
      let taken = 0
      cursor = cache.dump(cursor, (entry) => {
        if (taken === 7) return false
        taken++
        seen.push(keyText(entry))
        return true
      })
    }
    expect(steps).toBe(Math.ceil(1000 / 7))
    expect(seen.sort()).toEqual(Array.from({ length: 1000 }, (_, i) => `k${i}`).sort())
  })

  test('load replaces what the key held; a record that is not kept (expired, too large) still removes it', () => {
    const clock = new ManualClock()
    const cache = engine(MiB, clock)
    cache.load(raw('k', valueFor(10, 1), { version: 5 }))
    cache.load(raw('k', valueFor(20, 2), { version: 6, contentType: 'text/plain' }))
    expect(cache.peek('k')).toMatchObject({ version: 6, contentType: 'text/plain', value: valueFor(20, 2) })
    expect(cache.stats().items).toBe(1)

    expect(cache.load(raw('k', valueFor(10, 3), { version: 7, expiresAt: clock.now() - 1 }))).toBe(false)
    expect(cache.peek('k')).toBeUndefined()
    cache.load(raw('k', valueFor(10, 4), { version: 8 }))
    expect(cache.load(raw('k', valueFor(2 * MiB, 5), { version: 9 }))).toBe(false)
    expect(cache.peek('k')).toBeUndefined()
    expect(cache.stats()).toMatchObject({ items: 0, bytes: 0 })
    // Every version seen counts, kept or not.
    expect(cache.currentVersion).toBe(9)
  })

  test('loading past the bound evicts as writes do: the charge never passes it', () => {
    const cache = engine(MiB)
    for (let i = 0; i < 20_000; i++) {
      cache.load(raw(`k${i}`, valueFor(100, i), { version: i + 1 }))
      if (cache.stats().bytes > MiB) throw new Error(`over the bound after ${i}`)
    }
    expect(cache.stats().items).toBeGreaterThan(5000)
    expect(cache.stats().evictions).toBeGreaterThan(0)
  })

  test('expect() sizes the engine ahead and changes nothing it holds', () => {
    const cache = engine()
    cache.set('a', valueFor(10, 1), OCTET)
    const before: Entry | undefined = cache.peek('a')
    cache.expect(100_000)
    for (let i = 0; i < 100_000; i++) cache.load(raw(`k${i}`, valueFor(8, i), { version: i + 2 }))
    expect(cache.peek('a')).toEqual(before)
    expect(cache.stats().items).toBe(100_001)
    expect(cache.peek('k99999')?.value).toEqual(valueFor(8, 99_999))
  })
})
