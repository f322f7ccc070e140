import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ManualClock } from '../../src/cache'
import { bytes, capturingLogger, cleanUpAfterEach, dataDir, open, recordOffsets, text } from '../support/persistence'

cleanUpAfterEach()

const KEYS = Array.from({ length: 10 }, (_, i) => `k${i}`)

/** A directory whose only file is a journal of k0..k9 (versions 1..10), as a crash leaves it. */
async function journalOfTenKeys() {
  const dir = dataDir()
  const clock = new ManualClock()
  const first = await open(dir, clock)
  for (const key of KEYS) first.engine.set(key, bytes(`value of ${key}`), 'text/plain')
  await first.persistence.durable()
  first.crash()
  const path = join(dir, 'journal-1.fcj')
  const original = new Uint8Array(readFileSync(path))
  return { dir, clock, path, original, offsets: recordOffsets(original) }
}

function damaged(original: Uint8Array, damage: (copy: Uint8Array) => void): Uint8Array {
  const copy = original.slice()
  damage(copy)
  return copy
}

const present = (engine: { peek(key: string): unknown }) => KEYS.filter((key) => engine.peek(key) !== undefined)

describe('--recover', () => {
  test('a bad checksum mid-journal: only that record is skipped, every one after it is kept, the skip is reported', async () => {
    const { dir, clock, path, original, offsets } = await journalOfTenKeys()
    writeFileSync(
      path,
      damaged(original, (file) => (file[offsets[3]! + 20]! ^= 0xff)),
    )
    await expect(open(dir, clock)).rejects.toThrow(`${path}: checksum mismatch at offset ${offsets[3]}`)

    const { logger, lines, warnings } = capturingLogger()
    const recovered = await open(dir, clock, { recover: true }, logger)
    expect(present(recovered.engine)).toEqual(KEYS.filter((key) => key !== 'k3'))
    expect(text(recovered.engine.peek('k9'))).toBe('value of k9')
    const recordBytes = offsets[4]! - offsets[3]!
    expect(warnings()).toEqual([
      expect.objectContaining({
        file: path,
        offset: offsets[3],
        reason: 'checksum mismatch',
        skippedRecords: 1,
        skippedBytes: recordBytes,
        keptAs: expect.any(String),
      }),
    ])
    expect(lines.find((line) => line.message === 'persistence ready')).toMatchObject({ skippedRecords: 1, skippedBytes: recordBytes })
  })

  test('a damaged record length: the next record is found again by its length, the length inverted and its CRC', async () => {
    const { dir, clock, path, original, offsets } = await journalOfTenKeys()
    writeFileSync(
      path,
      damaged(original, (file) => (file[offsets[3]! + 1]! ^= 0x40)),
    )
    await expect(open(dir, clock)).rejects.toThrow(`${path}: a damaged record length at offset ${offsets[3]}`)
    const { logger, warnings } = capturingLogger()
    const recovered = await open(dir, clock, { recover: true }, logger)
    expect(present(recovered.engine)).toEqual(KEYS.filter((key) => key !== 'k3'))
    expect(warnings()[0]).toMatchObject({ skippedRecords: 1, skippedBytes: offsets[4]! - offsets[3]! })
  })

  test('a run of zeros over several records: the records on both sides are kept', async () => {
    const { dir, clock, path, original, offsets } = await journalOfTenKeys()
    writeFileSync(
      path,
      damaged(original, (file) => file.fill(0, offsets[2]! + 5, offsets[5]! + 3)),
    )
    const recovered = await open(dir, clock, { recover: true })
    expect(present(recovered.engine)).toEqual(['k0', 'k1', 'k6', 'k7', 'k8', 'k9'])
  })

  test('the damaged file is kept aside unchanged; a new snapshot holds the intact records; no --recover is needed next', async () => {
    const { dir, clock, path, original, offsets } = await journalOfTenKeys()
    const damagedBytes = damaged(original, (file) => (file[offsets[3]! + 20]! ^= 0xff))
    writeFileSync(path, damagedBytes)
    const { logger, warnings } = capturingLogger()
    const recovered = await open(dir, clock, { recover: true }, logger)
    const keptAs = String(warnings()[0]!.keptAs)
    expect(keptAs).toMatch(new RegExp(`^${path}\\.damaged-\\d{4}-\\d{2}-\\d{2}T[\\d-]+Z$`))
    expect(Buffer.from(readFileSync(keptAs)).equals(damagedBytes)).toBe(true)
    const inUse = readdirSync(dir).filter((name) => !name.includes('.damaged-'))
    expect(inUse.sort()).toEqual(['fastcache.lock', 'journal-3.fcj', 'snapshot.fcs'])
    recovered.engine.set('after', bytes('recovery'), 'text/plain')
    await recovered.persistence.durable()
    recovered.crash()

    const next = await open(dir, clock)
    expect(present(next.engine)).toEqual(KEYS.filter((key) => key !== 'k3'))
    expect(text(next.engine.peek('after'))).toBe('recovery')
  })

  test('the version counter never goes back: a skipped last record may have held the newest version', async () => {
    const { dir, clock, path, original, offsets } = await journalOfTenKeys()
    // k9 took version 10; its record is damaged, so nothing read says 10 was handed out.
    writeFileSync(
      path,
      damaged(original, (file) => (file[offsets[9]! + 20]! ^= 0xff)),
    )
    const recovered = await open(dir, clock, { recover: true })
    expect(recovered.engine.peek('k8')?.version).toBe(9)
    const written = recovered.engine.set('k9', bytes('again'), 'text/plain')
    expect(written.status === 'created' && written.version).toBeGreaterThan(10)
  })

  test('the version counter never goes back: a damaged snapshot still gives the counter its end record saved', async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    // Values this large take a block each, so one of them can be damaged alone.
    for (const key of KEYS) first.engine.set(key, bytes('x'.repeat(40_000)), 'text/plain')
    // Versions 11..15 belong to deleted keys: only the snapshot's end record remembers them.
    for (let i = 0; i < 5; i++) first.engine.set(`gone${i}`, bytes('x'), 'text/plain')
    first.engine.deletePrefix('gone')
    await first.close()
    const path = join(dir, 'snapshot.fcs')
    const original = new Uint8Array(readFileSync(path))
    expect(recordOffsets(original)).toHaveLength(12)
    writeFileSync(
      path,
      // Records: the expected count, the ten blocks, the end record.
      damaged(original, (file) => (file[recordOffsets(original)[3]! + 20]! ^= 0xff)),
    )

    const recovered = await open(dir, clock, { recover: true })
    expect(recovered.engine.stats().items).toBe(9)
    const written = recovered.engine.set('new', bytes('y'), 'text/plain')
    expect(written.status === 'created' && written.version).toBeGreaterThan(15)
  })

  test('a file whose header is damaged is skipped whole, kept aside, and the rest loads', async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    for (const key of KEYS) first.engine.set(key, bytes(`value of ${key}`), 'text/plain')
    await first.persistence.snapshot()
    first.engine.set('later', bytes('in journal 2'), 'text/plain')
    await first.persistence.durable()
    first.crash()
    const path = join(dir, 'journal-2.fcj')
    const original = new Uint8Array(readFileSync(path))
    writeFileSync(
      path,
      damaged(original, (file) => file.set(bytes('XXXX'), 0)),
    )
    await expect(open(dir, clock)).rejects.toThrow(`${path}: not a fastcache journal (bad magic) at offset 0`)
    const { logger, warnings } = capturingLogger()
    const recovered = await open(dir, clock, { recover: true }, logger)
    expect(present(recovered.engine)).toEqual(KEYS)
    expect(recovered.engine.peek('later')).toBeUndefined()
    const reason = 'not a fastcache journal (bad magic)'
    expect(warnings()[0]).toMatchObject({ file: path, offset: 0, reason, skippedBytes: original.byteLength })
  })
})
