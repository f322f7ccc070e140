import { describe, expect, test } from 'bun:test'
import { CacheEngine, ENTRY_OVERHEAD_BYTES, ManualClock } from '../../src/cache'
import { Rng } from '../../bench/hitratio/prng'

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : new TextDecoder().decode(value))
const OCTET = 'application/octet-stream'

function engine(maxBytes = 1 << 20, defaultTtlMs: number | null = null) {
  const clock = new ManualClock()
  return { clock, cache: new CacheEngine({ maxBytes, clock, defaultTtlMs, sweepIntervalMs: 0 }) }
}

describe('reads and writes', () => {
  test('set then get returns the value, its type and a version', () => {
    const { cache } = engine()
    const result = cache.set('a', bytes('hello'), 'text/plain')
    expect(result.status).toBe('created')
    const entry = cache.get('a')!
    expect(text(entry.value)).toBe('hello')
    expect(entry.contentType).toBe('text/plain')
    expect(result.status === 'created' && entry.version === result.version).toBe(true)
    expect(cache.set('a', bytes('bye'), OCTET).status).toBe('replaced')
  })

  test('every write takes a new, larger version, never reused after delete', () => {
    const { cache } = engine()
    const v1 = cache.set('a', bytes('1'), OCTET)
    cache.delete('a')
    const v2 = cache.set('a', bytes('1'), OCTET)
    const v3 = cache.incr('n', 1)
    if (v1.status !== 'created' || v2.status !== 'created' || v3.status !== 'created') throw new Error('write failed')
    expect(v2.version).toBeGreaterThan(v1.version)
    expect(v3.version).toBeGreaterThan(v2.version)
  })

  test('nx, xx and ifVersion conditions change nothing when they fail', () => {
    const { cache } = engine()
    expect(cache.set('a', bytes('x'), OCTET, { xx: true }).status).toBe('condition-failed')
    expect(cache.has('a')).toBe(false)
    const first = cache.set('a', bytes('1'), OCTET, { nx: true })
    expect(first.status).toBe('created')
    expect(cache.set('a', bytes('2'), OCTET, { nx: true }).status).toBe('condition-failed')
    expect(cache.set('a', bytes('3'), OCTET, { ifVersion: 999 }).status).toBe('condition-failed')
    expect(text(cache.peek('a')!.value)).toBe('1')
    const version = cache.peek('a')!.version
    expect(cache.set('a', bytes('4'), OCTET, { ifVersion: version }).status).toBe('replaced')
    expect(cache.delete('a', { ifVersion: version })).toBe('condition-failed')
    expect(cache.delete('a', { ifVersion: cache.peek('a')!.version })).toBe('deleted')
    expect(cache.delete('a')).toBe('absent')
    expect(cache.delete('a', { ifVersion: 1 })).toBe('condition-failed')
  })

  test('keeps every content type, including past the shared table of distinct types', () => {
    const { cache } = engine(1 << 30)
    for (let i = 0; i < 5000; i++) cache.set(`k${i}`, bytes('v'), `application/x-type-${i}`)
    for (let i = 0; i < 5000; i += 499) expect(cache.peek(`k${i}`)!.contentType).toBe(`application/x-type-${i}`)
    cache.set('k4999', bytes('v'), 'text/plain')
    expect(cache.peek('k4999')!.contentType).toBe('text/plain')
  })

  test('hits and misses count lookups; peek does not', () => {
    const { cache } = engine()
    cache.set('a', bytes('1'), OCTET)
    cache.get('a')
    cache.get('b')
    cache.peek('a')
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, sets: 1, items: 1 })
  })
})

describe('counters', () => {
  test('incr starts from zero, adds, and keeps an existing TTL', () => {
    const { cache, clock } = engine()
    expect(cache.incr('n', 5, 10_000)).toMatchObject({ status: 'created', value: 5 })
    clock.advance(4000)
    expect(cache.incr('n', -7)).toMatchObject({ status: 'updated', value: -2 })
    expect(cache.peek('n')!.expiresAt).toBe(clock.now() + 6000)
    expect(text(cache.peek('n')!.value)).toBe('-2')
    expect(cache.peek('n')!.contentType).toBe('application/json')
  })

  test('incr refuses non-integers and overflow without changing the value', () => {
    const { cache } = engine()
    cache.set('s', bytes('"text"'), 'application/json')
    cache.set('f', bytes('1.5'), 'application/json')
    expect(cache.incr('s', 1).status).toBe('not-integer')
    expect(cache.incr('f', 1).status).toBe('not-integer')
    cache.set('big', bytes(String(Number.MAX_SAFE_INTEGER)), 'application/json')
    const before = cache.peek('big')!.version
    expect(cache.incr('big', 1).status).toBe('out-of-range')
    expect(cache.peek('big')!.version).toBe(before)
    cache.set('e', bytes('2e3'), 'application/json')
    expect(cache.incr('e', 1)).toMatchObject({ value: 2001 })
  })
})

describe('TTL', () => {
  test('an entry expires exactly at its TTL and is never returned after', () => {
    const { cache, clock } = engine()
    cache.set('a', bytes('1'), OCTET, { ttlMs: 1000 })
    clock.advance(999)
    expect(cache.get('a')).toBeDefined()
    clock.advance(1)
    expect(cache.get('a')).toBeUndefined()
    expect(cache.stats()).toMatchObject({ items: 0, expirations: 1, evictions: 0 })
  })

  test('a plain set clears the TTL, keepTtl keeps it, touch sets and removes it', () => {
    const { cache, clock } = engine()
    cache.set('a', bytes('1'), OCTET, { ttlMs: 1000 })
    cache.set('a', bytes('2'), OCTET, { keepTtl: true })
    expect(cache.peek('a')!.expiresAt).toBe(clock.now() + 1000)
    cache.set('a', bytes('3'), OCTET)
    expect(cache.peek('a')!.expiresAt).toBeNull()
    const version = cache.peek('a')!.version
    expect(cache.touch('a', 500)!.expiresAt).toBe(clock.now() + 500)
    expect(cache.peek('a')!.version).toBe(version)
    expect(cache.touch('a', null)!.expiresAt).toBeNull()
    expect(cache.touch('missing', 5)).toBeUndefined()
  })

  test('the default TTL applies to writes without one, including incr', () => {
    const { cache, clock } = engine(1 << 20, 60_000)
    cache.set('a', bytes('1'), OCTET)
    cache.incr('n', 1)
    cache.set('b', bytes('1'), OCTET, { ttlMs: 5 })
    expect(cache.peek('a')!.expiresAt).toBe(clock.now() + 60_000)
    expect(cache.peek('n')!.expiresAt).toBe(clock.now() + 60_000)
    expect(cache.peek('b')!.expiresAt).toBe(clock.now() + 5)
  })

  test('the sweep reclaims expired entries and their bytes without any read', () => {
    const { cache, clock } = engine(1 << 30)
    for (let i = 0; i < 5000; i++) cache.set(`k${i}`, bytes('v'), OCTET, { ttlMs: i < 4000 ? 1000 : 100_000 })
    let survivors = 0
    for (let i = 4000; i < 5000; i++) survivors += cache.chargeOf(`k${i}`, 1)
    clock.advance(1000)
    let removed = 0
    for (let tick = 0; tick < 10; tick++) removed += cache.sweepExpired()
    expect(removed).toBe(4000)
    expect(cache.stats()).toMatchObject({ items: 1000, expirations: 4000 })
    expect(cache.stats().bytes).toBe(survivors)
  })

  test('one sweep tick examines a bounded number of slots', () => {
    const { cache, clock } = engine(1 << 30)
    for (let i = 0; i < 100_000; i++) cache.set(`k${i}`, bytes('v'), OCTET, { ttlMs: 1 })
    clock.advance(1)
    const removed = cache.sweepExpired()
    expect(removed).toBeGreaterThan(0)
    expect(removed).toBeLessThanOrEqual(16 * 1024)
  })
})

describe('memory bound', () => {
  test('the charged total never exceeds the bound; evictions are counted', () => {
    const charge = 3 + 100 + ENTRY_OVERHEAD_BYTES
    const { cache } = engine(charge * 10)
    for (let i = 0; i < 30; i++) {
      cache.set(`k${String(i).padStart(2, '0')}`, new Uint8Array(100), OCTET)
      expect(cache.stats().bytes).toBeLessThanOrEqual(charge * 10)
    }
    expect(cache.stats()).toMatchObject({ items: 10, evictions: 20, bytes: charge * 10 })
  })

  test('an entry larger than the whole bound is refused and evicts nothing', () => {
    const { cache } = engine(4096)
    cache.set('small', bytes('x'), OCTET)
    expect(cache.set('huge', new Uint8Array(4096), OCTET).status).toBe('too-large')
    expect(cache.has('small')).toBe(true)
    expect(cache.stats().evictions).toBe(0)
  })

  test('charges keys in UTF-8 bytes plus the fixed overhead, and replacing re-charges', () => {
    const { cache } = engine()
    cache.set('é', new Uint8Array(10), OCTET)
    expect(cache.stats().bytes).toBe(2 + 10 + ENTRY_OVERHEAD_BYTES)
    cache.set('é', new Uint8Array(3), OCTET)
    expect(cache.stats().bytes).toBe(2 + 3 + ENTRY_OVERHEAD_BYTES)
    cache.delete('é')
    expect(cache.stats().bytes).toBe(0)
  })

  test('under random load the bound holds and accounting matches the live entries', () => {
    const { cache, clock } = engine(200_000)
    const rng = new Rng(42)
    const random = () => rng.float()
    for (let i = 0; i < 20_000; i++) {
      const key = `key-${Math.floor(random() * 3000)}`
      const r = random()
      if (r < 0.6)
        cache.set(key, new Uint8Array(Math.floor(random() * 2000)), OCTET, random() < 0.3 ? { ttlMs: 1 + Math.floor(random() * 50) } : {})
      else if (r < 0.8) cache.get(key)
      else if (r < 0.9) cache.delete(key)
      else cache.incr(`n-${key}`, 1)
      if (i % 100 === 0) clock.advance(7)
      expect(cache.stats().bytes).toBeLessThanOrEqual(200_000)
    }
    // Reading every possible key drops the expired ones; what is left must be exactly what is charged.
    let expected = 0
    for (let k = 0; k < 3000; k++) {
      for (const key of [`key-${k}`, `n-key-${k}`]) {
        const entry = cache.get(key)
        if (entry) expected += cache.chargeOf(key, entry.value.byteLength)
      }
    }
    expect(cache.stats().items).toBeGreaterThan(0)
    expect(cache.stats().bytes).toBe(expected)
  })
})

describe('scans', () => {
  test('pages through every key with a prefix', () => {
    const { cache } = engine()
    for (let i = 0; i < 250; i++) cache.set(`user:${i}`, bytes('1'), OCTET)
    for (let i = 0; i < 50; i++) cache.set(`order:${i}`, bytes('1'), OCTET)
    const seen: string[] = []
    for (let cursor: number | null = 0; cursor !== null; ) {
      const page = cache.scan('user:', 100, cursor)
      expect(page.keys.length).toBeLessThanOrEqual(100)
      seen.push(...page.keys)
      cursor = page.next
    }
    expect(seen.length).toBe(250)
    expect(new Set(seen).size).toBe(250)
    expect(seen.every((k) => k.startsWith('user:'))).toBe(true)
  })

  test('returns every key that exists for the whole scan while writes and deletes go on', () => {
    const { cache } = engine(1 << 30)
    for (let i = 0; i < 3000; i++) cache.set(`stable:${i}`, bytes('1'), OCTET)
    for (let i = 0; i < 3000; i++) cache.set(`churn:${i}`, bytes('1'), OCTET)
    const seen = new Set<string>()
    let round = 0
    for (let cursor: number | null = 0; cursor !== null; round++) {
      const page = cache.scan('', 97, cursor)
      for (const k of page.keys) seen.add(k)
      cursor = page.next
      // Between pages: delete old churn keys, add new ones, rewrite stable ones.
      for (let j = 0; j < 20; j++) {
        cache.delete(`churn:${round * 20 + j}`)
        cache.set(`new:${round}:${j}`, bytes('1'), OCTET)
        cache.set(`stable:${(round * 20 + j) % 3000}`, bytes('2'), OCTET)
      }
    }
    for (let i = 0; i < 3000; i++) expect(seen.has(`stable:${i}`)).toBe(true)
  })

  test('never lists expired entries', () => {
    const { cache, clock } = engine()
    cache.set('live', bytes('1'), OCTET)
    cache.set('dead', bytes('1'), OCTET, { ttlMs: 10 })
    clock.advance(10)
    expect(cache.scan('', 100).keys).toEqual(['live'])
  })

  test('deletePrefix and flush remove and count live entries', () => {
    const { cache, clock } = engine()
    for (let i = 0; i < 10; i++) cache.set(`a:${i}`, bytes('1'), OCTET)
    for (let i = 0; i < 5; i++) cache.set(`b:${i}`, bytes('1'), OCTET)
    cache.set('a:dead', bytes('1'), OCTET, { ttlMs: 1 })
    clock.advance(1)
    expect(cache.deletePrefix('a:')).toBe(10)
    expect(cache.stats().items).toBe(5)
    const before = cache.currentVersion
    expect(cache.flush()).toBe(5)
    expect(cache.stats()).toMatchObject({ items: 0, bytes: 0 })
    const after = cache.set('x', bytes('1'), OCTET)
    expect(after.status === 'created' && after.version > before).toBe(true)
  })
})
