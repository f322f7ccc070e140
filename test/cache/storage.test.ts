import { heapStats } from 'bun:jsc'
import { describe, expect, test } from 'bun:test'
import { CacheEngine, ENTRY_OVERHEAD_BYTES, ManualClock } from '../../src/cache'
import { capacityOf } from '../../src/cache/size-classes'
import { Rng } from '../../bench/hitratio/prng'

const OCTET = 'application/octet-stream'
const MiB = 1 << 20
/** Header bytes of a record without soft expiry (src/cache/slot-table.ts). */
const HEADER = 28

function engine(maxBytes: number) {
  const clock = new ManualClock()
  return { clock, cache: new CacheEngine({ maxBytes, clock, sweepIntervalMs: 0 }) }
}

/** Bytes that say which write made them: a value read back later shows whether it was overwritten. */
function valueFor(length: number, tag: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = (tag * 31 + i * 7) & 0xff
  return bytes
}

// Characters of 1, 2, 3 and 4 UTF-8 bytes.
const CHARS = ['a', 'é', '漢', '😀']
/** A key of exactly `length` UTF-8 bytes mixing characters of every width, varied by `seed`. */
function keyOfBytes(length: number, seed: number): string {
  let key = ''
  let left = length
  for (let i = seed; left > 0; i++) {
    const width = Math.min(left, 1 + (i % 4))
    key += CHARS[width - 1]
    left -= width
  }
  return key
}

describe('keys', () => {
  test('every UTF-8 length from 1 to 512 bytes, with multi-byte characters, is stored, found, listed and charged', () => {
    const { cache } = engine(64 * MiB)
    const keys: string[] = []
    for (let length = 1; length <= 512; length++) {
      // Up to four keys of each length, starting with characters of each width (short ones repeat).
      for (const key of new Set([0, 1, 2, 3].map((seed) => keyOfBytes(length, seed)))) {
        expect(new TextEncoder().encode(key).byteLength).toBe(length)
        expect(cache.chargeOf(key, 10)).toBe(length + 10 + ENTRY_OVERHEAD_BYTES)
        if (cache.set(key, valueFor(10, length), OCTET).status !== 'created') throw new Error(`not created: ${length}`)
        keys.push(key)
      }
    }
    expect(cache.stats().bytes).toBe(keys.reduce((sum, key) => sum + cache.chargeOf(key, 10), 0))
    for (const key of keys) expect(cache.get(key)?.key).toBe(key)
    // A longer key and one of the same length differing in its last byte are different keys.
    expect(cache.has(`${keyOfBytes(512, 0)}a`)).toBe(false)
    expect(cache.has(`${keyOfBytes(512, 0).slice(0, -1)}z`)).toBe(false)
    const listed: string[] = []
    for (let cursor: number | null = 0; cursor !== null; ) {
      const page = cache.scan('', 1000, cursor)
      listed.push(...page.keys)
      cursor = page.next
    }
    expect(listed.sort()).toEqual([...keys].sort())
    const walked = cache.entries(0, 10_000).entries.map((entry) => entry.key)
    expect(walked.sort()).toEqual([...keys].sort())
    expect(cache.scan('😀', 10_000).keys.every((key) => key.startsWith('😀'))).toBe(true)
    expect(cache.scan('😀', 10_000).keys.length).toBe(keys.filter((key) => key.startsWith('😀')).length)
    for (const key of keys) expect(cache.delete(key)).toBe('deleted')
    expect(cache.stats()).toMatchObject({ items: 0, bytes: 0 })
  })

  test('a lone surrogate is kept as U+FFFD, as UTF-8 encoders do, and still finds its entry', () => {
    const { cache } = engine(MiB)
    cache.set('a\ud800b', valueFor(3, 1), OCTET)
    expect(cache.has('a\ud800b')).toBe(true)
    expect(cache.has('a\ufffdb')).toBe(true)
    expect(cache.scan('', 10).keys).toEqual(['a\ufffdb'])
  })

  test('keys up to 65,535 bytes are kept; longer ones are refused as too large', () => {
    const { cache } = engine(64 * MiB)
    const longest = 'k'.repeat(65_535)
    expect(cache.set(longest, valueFor(5, 1), OCTET).status).toBe('created')
    expect(cache.get(longest)?.value).toEqual(valueFor(5, 1))
    expect(cache.set(`${longest}k`, valueFor(5, 1), OCTET).status).toBe('too-large')
    expect(cache.incr(`${longest}k`, 1).status).toBe('too-large')
  })
})

describe('values', () => {
  test('values at every size class boundary, kept in the arena and in their own buffers, read back exactly', () => {
    const { cache } = engine(256 * MiB)
    const key = (size: number) => `v:${String(size).padStart(7, '0')}`
    // Record = header + key + value: for each class, the value that fills it exactly and one byte more.
    const sizes = new Set<number>([0, 1])
    for (let cls = 0; capacityOf(cls) <= 128 * 1024; cls++) {
      const exact = capacityOf(cls) - HEADER - key(0).length
      if (exact >= 0) sizes.add(exact).add(exact + 1)
    }
    for (const size of sizes) expect(cache.set(key(size), valueFor(size, size), OCTET).status).toBe('created')
    for (const size of sizes) expect(cache.get(key(size))!.value).toEqual(valueFor(size, size))
    // Rewrite each with the next size (a different class, or the same class in place) and back.
    const ordered = [...sizes].sort((a, b) => a - b)
    for (const [i, size] of ordered.entries()) cache.set(key(size), valueFor(ordered[(i + 1) % ordered.length]!, -size), OCTET)
    for (const [i, size] of ordered.entries())
      expect(cache.get(key(size))!.value).toEqual(valueFor(ordered[(i + 1) % ordered.length]!, -size))
    expect(cache.stats().bytes).toBe(
      ordered.reduce((sum, size, i) => sum + cache.chargeOf(key(size), ordered[(i + 1) % ordered.length]!), 0),
    )
  })

  test('soft expiry, TTL changes and rewrites in place keep every field', () => {
    const { cache, clock } = engine(MiB)
    const created = cache.set('k', valueFor(50, 1), 'text/plain', { ttlMs: 1000, staleMs: 500 })
    const createdAt = clock.now()
    clock.advance(10)
    // Same size class: rewritten in place; then a soft-expiry record is rewritten without one.
    cache.set('k', valueFor(51, 2), 'text/plain', { ttlMs: 1000, staleMs: 500 })
    expect(cache.peek('k')).toMatchObject({
      staleAt: clock.now() + 1000,
      expiresAt: clock.now() + 1500,
      createdAt,
      contentType: 'text/plain',
    })
    cache.set('k', valueFor(52, 3), 'application/json', { keepTtl: true })
    expect(cache.peek('k')).toMatchObject({
      staleAt: clock.now() + 1000,
      expiresAt: clock.now() + 1500,
      createdAt,
      contentType: 'application/json',
    })
    cache.touch('k', 200)
    expect(cache.peek('k')).toMatchObject({ staleAt: null, expiresAt: clock.now() + 200, value: valueFor(52, 3), createdAt })
    expect(created.status === 'created' && cache.peek('k')!.version > created.version).toBe(true)
  })

  test("a value written is the engine's own copy: the caller may change or reuse its buffer at once", () => {
    // The HTTP layer hands the runtime's request body to set() as it is, without a copy of its own.
    const { cache } = engine(8 * MiB)
    const sizes = [1, 100, 1000, 5000, 200_000]
    for (const [i, size] of sizes.entries()) {
      const written = valueFor(size, i)
      const created = cache.set(`own:${size}`, written, OCTET)
      written.fill(0xee)
      expect({ size, status: created.status, value: cache.peek(`own:${size}`)!.value }).toEqual({
        size,
        status: 'created',
        value: valueFor(size, i),
      })
      // The same buffer, reused for the next write of this key, in place and past its record's class.
      written.set(valueFor(size, i + 100))
      cache.set(`own:${size}`, written, OCTET)
      written.fill(0x11)
      expect({ size, value: cache.peek(`own:${size}`)!.value }).toEqual({ size, value: valueFor(size, i + 100) })
    }
  })

  test('a value handed out never changes, whatever happens to the cache afterwards', () => {
    const { cache } = engine(8 * MiB)
    const rng = new Rng(7)
    const kept: { value: Uint8Array; expected: Uint8Array }[] = []
    const sizes = [40, 100, 1000, 5000, 200_000]
    for (let i = 0; i < 200; i++) {
      const size = sizes[i % sizes.length]!
      cache.set(`held:${i}`, valueFor(size, i), OCTET)
      kept.push({ value: cache.get(`held:${i}`)!.value, expected: valueFor(size, i) })
    }
    // Rewrite, delete and evict everything many times over, in shifting sizes so segments are cleaned.
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 4000; i++) {
        const size = Math.floor(rng.float() * (round % 2 === 0 ? 300 : 6000))
        cache.set(`held:${i % 200}`, valueFor(size, round * 10_000 + i), OCTET)
        cache.set(`churn:${round}:${i}`, valueFor(size, i + 1), OCTET)
        if (i % 3 === 0) cache.delete(`churn:${round}:${i - 3}`)
      }
    }
    expect(cache.stats().evictions).toBeGreaterThan(0)
    expect(cache.memory().movedBytes).toBeGreaterThan(0)
    for (const { value, expected } of kept) expect(value).toEqual(expected)
  })
})

describe('memory', () => {
  test('under value sizes that shift over time the arena stays within the bound and keeps the cache full', () => {
    const bound = 4 * MiB
    const { cache } = engine(bound)
    const rng = new Rng(0xbeef)
    const bands = [
      [100, 200],
      [1000, 2000],
      [8000, 16_000],
      [100, 200],
      [3000, 5000],
      [200, 400],
    ] as const
    let written = 0
    for (const [low, high] of bands) {
      // Three times the bound per phase, on a key space five times what fits.
      const keys = Math.ceil((5 * bound) / high)
      for (let phaseBytes = 0; phaseBytes < 3 * bound; ) {
        const size = low + Math.floor(rng.float() * (high - low))
        cache.set(`k:${Math.floor(rng.float() * keys)}`, valueFor(size, size), OCTET)
        phaseBytes += size
      }
      written += 3 * bound
      const memory = cache.memory()
      const { bytes } = cache.stats()
      expect(bytes).toBeLessThanOrEqual(bound)
      // The arena holds at most the bound plus its headroom (1/32 of it), however sizes moved.
      expect(memory.arenaBytes).toBeLessThanOrEqual(bound + bound / 32 + 4 * memory.segmentBytes)
      // Fragmentation did not starve the cache: after each phase it is nearly full of charged entries.
      expect(bytes).toBeGreaterThan(0.8 * bound)
    }
    // Cleaning copied less than what was written.
    expect(cache.memory().movedBytes).toBeLessThan(written)
  })

  test('a full arena makes room by evicting in the policy order; writes keep succeeding within the bound', () => {
    const bound = 4 * MiB
    const { cache } = engine(bound)
    for (let i = 0; i < 40_000; i++) cache.set(`small:${i}`, valueFor(60, i), OCTET)
    expect(cache.stats().bytes).toBeGreaterThan(0.9 * bound)
    // Every segment is full of small records: larger ones must take space from evicted small ones.
    for (let i = 0; i < 2000; i++) {
      const result = cache.set(`large:${i}`, valueFor(3000, i), OCTET)
      expect(result.status).toBe('created')
      expect(cache.stats().bytes).toBeLessThanOrEqual(bound)
      expect(cache.memory().arenaBytes).toBeLessThanOrEqual(bound + 4 * cache.memory().segmentBytes)
    }
    expect(cache.get('large:1999')?.value).toEqual(valueFor(3000, 1999))
    // After a flush the arena gives everything back.
    cache.flush()
    expect(cache.memory()).toMatchObject({ arenaBytes: 0, liveRecordBytes: 0 })
  })

  test('the number of JS heap objects does not grow with the number of entries', () => {
    const { cache } = engine(1 << 30)
    const value = valueFor(100, 1)
    const objects = () => {
      Bun.gc(true)
      return heapStats().objectCount
    }
    for (let i = 0; i < 10_000; i++) cache.set(`key:${i}`, value, OCTET)
    const at10k = objects()
    for (let i = 10_000; i < 200_000; i++) cache.set(`key:${i}`, value, OCTET)
    const at200k = objects()
    expect(cache.stats().items).toBe(200_000)
    // 190,000 more entries: a string and a Uint8Array each would be ~570,000 more objects. Arena
    // segments (three objects per MiB) and the test's own bookkeeping are a small constant.
    expect(at200k - at10k).toBeLessThan(500)
  })
})
