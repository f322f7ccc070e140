import { describe, expect, test } from 'bun:test'
import { cpSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ManualClock, type CacheEngine, type Entry } from '../../src/cache'
import { FORMAT_VERSION } from '../../src/persistence/format'
import { bytes, cleanUpAfterEach, dataDir, open } from '../support/persistence'

cleanUpAfterEach()

// A data directory written by the build before snapshot format 2 (test/fixtures/persistence-v1/README.md):
// a format-1 snapshot and the journal written after it, and what that build held when it was killed.
const FIXTURE = join(import.meta.dir, '../fixtures/persistence-v1')

interface Expected {
  version: number
  size: number
  contentType: string
  createdAt: string
  expiresAt: string | null
  value?: string
  sha256?: string
}
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as { items: number; entries: Record<string, Expected> }
const keys = Object.keys(expected.entries)
const formatVersionOf = (path: string) => new DataView(readFileSync(path).buffer).getUint32(4, true)

/** An entry as the old build answered it: value (or its digest) and metadata, times as epoch milliseconds. */
function shown(entry: Entry | undefined) {
  if (entry === undefined) return undefined
  const large = entry.value.byteLength > 1024
  return {
    version: entry.version,
    size: entry.value.byteLength,
    contentType: entry.contentType,
    createdAt: entry.createdAt,
    expiresAt: entry.expiresAt,
    ...(large
      ? { sha256: new Bun.CryptoHasher('sha256').update(entry.value).digest('hex') }
      : { value: Buffer.from(entry.value).toString('base64') }),
  }
}

function asExpected(entry: Expected) {
  const { version, size, contentType, value, sha256 } = entry
  const times = { createdAt: Date.parse(entry.createdAt), expiresAt: entry.expiresAt === null ? null : Date.parse(entry.expiresAt) }
  return { version, size, contentType, ...times, ...(sha256 === undefined ? { value: value! } : { sha256 }) }
}

const state = (engine: CacheEngine) => keys.map((key) => [key, engine.peek(key)] as const)

describe('persistence: older formats', () => {
  // The fixture's newest write; its entries with a TTL are alive then.
  const written = Math.max(...keys.map((key) => Date.parse(expected.entries[key]!.createdAt)))

  test('a directory written in format 1 loads exactly as the old build held it; the next snapshot is format 2', async () => {
    const dir = dataDir()
    cpSync(join(FIXTURE, 'data'), dir, { recursive: true })
    expect(formatVersionOf(join(dir, 'snapshot.fcs'))).toBe(1)
    const clock = new ManualClock(written + 1000)
    const first = await open(dir, clock)
    expect(first.engine.stats().items).toBe(expected.items)
    for (const key of keys) expect([key, shown(first.engine.peek(key))]).toEqual([key, asExpected(expected.entries[key]!)])
    for (const gone of ['gone', 'tmp:0', 'tmp:1', 'tmp:2']) expect(first.engine.peek(gone)).toBeUndefined()
    // Soft expiry: stale 30 minutes before it expires (written with ?ttl=1h&stale=30m).
    const soft = first.engine.peek('soft')!
    expect(soft.staleAt).toBe(soft.expiresAt! - 30 * 60_000)
    // Versions go on after the newest the old build handed out.
    const newest = Math.max(...keys.map((key) => expected.entries[key]!.version))
    const next = first.engine.set('new', bytes('after the upgrade'), 'text/plain')
    expect(next.status === 'created' && next.version).toBeGreaterThan(newest)
    const before = state(first.engine)
    await first.close()

    expect(formatVersionOf(join(dir, 'snapshot.fcs'))).toBe(FORMAT_VERSION)
    const second = await open(dir, clock)
    expect(state(second.engine)).toEqual(before)
    expect(second.engine.peek('new')?.version).toBe(next.status === 'created' ? next.version : -1)
  })

  test("the fixture's entries with a TTL expire when their time comes", async () => {
    const dir = dataDir()
    cpSync(join(FIXTURE, 'data'), dir, { recursive: true })
    const late = await open(dir, new ManualClock(written + 3 * 3_600_000))
    const withTtl = keys.filter((key) => expected.entries[key]!.expiresAt !== null)
    expect(withTtl.sort()).toEqual(['soft', 'touched', 'ttl'])
    expect(withTtl.map((key) => late.engine.peek(key))).toEqual([undefined, undefined, undefined])
    expect(late.engine.stats().items).toBe(expected.items - 3)
  })
})
