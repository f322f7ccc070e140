import { describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ManualClock } from '../../src/cache'
import { PersistenceError } from '../../src/persistence'
import { bytes, capturingLogger, cleanUpAfterEach, dataDir, open, recordOffsets, text } from '../support/persistence'

cleanUpAfterEach()

describe('persistence: snapshot and journal', () => {
  test('everything a client can change survives a clean stop and start, versions and times included', async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    const e = first.engine
    e.set('plain', bytes('v1'), 'text/plain')
    e.set('ttl', bytes('v2'), 'application/octet-stream', { ttlMs: 60_000 })
    e.set('soft', bytes('v3'), 'text/plain', { ttlMs: 60_000, staleMs: 30_000 })
    e.incr('counter', 5)
    e.incr('counter', 2)
    e.set('gone', bytes('x'), 'text/plain')
    e.delete('gone')
    e.set('tmp:1', bytes('x'), 'text/plain')
    e.set('tmp:2', bytes('x'), 'text/plain')
    e.deletePrefix('tmp:')
    e.set('touched', bytes('t'), 'text/plain')
    e.touch('touched', 5000)
    const before = ['plain', 'ttl', 'soft', 'counter', 'touched'].map((key) => e.peek(key))
    await first.close()

    const second = await open(dir, clock)
    const after = ['plain', 'ttl', 'soft', 'counter', 'touched'].map((key) => second.engine.peek(key))
    expect(after).toEqual(before)
    expect(text(second.engine.peek('counter'))).toBe('7')
    expect(second.engine.peek('gone')).toBeUndefined()
    expect(second.engine.peek('tmp:1')).toBeUndefined()
    // New versions continue after the restored ones: an ETag is never reused.
    const next = second.engine.set('plain', bytes('v4'), 'text/plain')
    expect(next.status === 'replaced' && next.version).toBeGreaterThan(Math.max(...before.map((entry) => entry!.version)))
  })

  test('versions of keys deleted before a snapshot are not handed out again after a restart', async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    first.engine.set('a', bytes('1'), 'text/plain')
    const k = first.engine.set('k', bytes('2'), 'text/plain')
    first.engine.delete('k')
    await first.close()
    const second = await open(dir, clock)
    const again = second.engine.set('k', bytes('3'), 'text/plain')
    expect(again.status === 'created' && k.status === 'created' && again.version > k.version).toBe(true)
  })

  test('without a final snapshot (a crash), the journal alone brings back every acknowledged write', async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    for (let i = 0; i < 500; i++) first.engine.set(`k${i}`, bytes(`value ${i}`), 'text/plain')
    first.engine.delete('k7')
    first.engine.flush()
    first.engine.set('after-flush', bytes('yes'), 'text/plain')
    await first.persistence.durable()
    first.crash()
    expect(existsSync(join(dir, 'snapshot.fcs'))).toBe(false)

    const second = await open(dir, clock)
    expect(second.engine.stats().items).toBe(1)
    expect(text(second.engine.peek('after-flush'))).toBe('yes')
  })

  test('a snapshot taken while writes go on, plus the journal written meanwhile, gives the final state', async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    for (let i = 0; i < 10_000; i++) first.engine.set(`k${i}`, bytes(`v${i}`), 'text/plain')
    const snapshot = first.persistence.snapshot()
    // Changes during the snapshot: the event loop runs between its steps.
    for (let round = 0; round < 20; round++) {
      await Bun.sleep(0)
      first.engine.set(`k${round * 500}`, bytes(`changed ${round}`), 'text/plain')
      first.engine.delete(`k${round * 500 + 1}`)
      first.engine.set(`new${round}`, bytes('n'), 'text/plain')
    }
    const result = await snapshot
    expect(result.entries).toBeGreaterThanOrEqual(9_980)
    await first.persistence.durable()
    first.crash()

    const second = await open(dir, clock)
    expect(second.engine.stats().items).toBe(10_000)
    for (let round = 0; round < 20; round++) {
      expect(text(second.engine.peek(`k${round * 500}`))).toBe(`changed ${round}`)
      expect(second.engine.peek(`k${round * 500 + 1}`)).toBeUndefined()
      expect(text(second.engine.peek(`new${round}`))).toBe('n')
    }
  })

  test('a snapshot replaces the journals before it; a leftover temporary snapshot is removed at start', async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    first.engine.set('a', bytes('1'), 'text/plain')
    const result = await first.persistence.snapshot()
    expect(result.generation).toBe(2)
    expect(readdirSync(dir).sort()).toEqual(['fastcache.lock', 'journal-2.fcj', 'snapshot.fcs'])
    await first.close()
    writeFileSync(join(dir, 'snapshot.fcs.tmp'), 'half a snapshot')
    const second = await open(dir, clock)
    expect(existsSync(join(dir, 'snapshot.fcs.tmp'))).toBe(false)
    expect(text(second.engine.peek('a'))).toBe('1')
  })

  test('--snapshot-interval takes snapshots by itself, only when something changed', async () => {
    const dir = dataDir()
    const first = await open(dir, new ManualClock(), { snapshotIntervalMs: 50, fsync: 'everysec' })
    await Bun.sleep(150)
    expect(existsSync(join(dir, 'snapshot.fcs'))).toBe(false)
    first.engine.set('a', bytes('1'), 'text/plain')
    const deadline = Date.now() + 3000
    while (!existsSync(join(dir, 'snapshot.fcs')) && Date.now() < deadline) await Bun.sleep(20)
    expect(existsSync(join(dir, 'snapshot.fcs'))).toBe(true)
  })

  test('--snapshot-interval 0: no snapshot on a timer, however much changes', async () => {
    const dir = dataDir()
    const first = await open(dir, new ManualClock(), { snapshotIntervalMs: 0, fsync: 'everysec' })
    for (let round = 0; round < 10; round++) {
      first.engine.set(`k${round}`, bytes('1'), 'text/plain')
      await Bun.sleep(20)
    }
    expect(existsSync(join(dir, 'snapshot.fcs'))).toBe(false)
    await first.persistence.snapshot()
    expect(existsSync(join(dir, 'snapshot.fcs'))).toBe(true)
  })

  test('entries that expired while the server was down are not loaded', async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    first.engine.set('short', bytes('x'), 'text/plain', { ttlMs: 10_000 })
    first.engine.set('long', bytes('y'), 'text/plain', { ttlMs: 100_000 })
    await first.close()
    clock.advance(50_000)
    const second = await open(dir, clock)
    expect(second.engine.peek('short')).toBeUndefined()
    expect(second.engine.peek('long')?.expiresAt).toBe(clock.now() + 50_000)
  })
})

describe('persistence: replaying overwrites', () => {
  test('a key overwritten with a value that has since expired does not come back with its older value', async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    first.engine.set('k', bytes('older, without a TTL'), 'text/plain')
    first.engine.set('k', bytes('newer, with a short TTL'), 'text/plain', { ttlMs: 1000 })
    await first.persistence.durable()
    first.crash()
    clock.advance(5000)
    const second = await open(dir, clock)
    expect(second.engine.peek('k')).toBeUndefined()
  })
})

describe('persistence: damaged files', () => {
  async function snapshotOf(entries: number) {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    for (let i = 0; i < entries; i++) first.engine.set(`key${i}`, bytes('x'.repeat(100)), 'text/plain')
    await first.close()
    return { dir, clock, path: join(dir, 'snapshot.fcs') }
  }

  /** The record (a block of entries) of a snapshot holding byte `at`, and how many entries it holds. */
  function blockAt(file: Uint8Array, at: number) {
    const offset = recordOffsets(file).findLast((start) => start <= at)!
    return { offset, entries: new DataView(file.buffer, file.byteOffset).getUint32(offset + 13, true) }
  }

  test('a corrupt snapshot stops the start naming the file and offset; --recover skips only the damaged block', async () => {
    const { dir, clock, path } = await snapshotOf(2000)
    const file = new Uint8Array(readFileSync(path))
    const at = Math.floor(file.byteLength / 2)
    const block = blockAt(file, at)
    file[at]! ^= 0xff
    writeFileSync(path, file)
    let error: unknown
    try {
      await open(dir, clock)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(PersistenceError)
    expect((error as Error).message).toStartWith(`${path}: checksum mismatch at offset ${block.offset} (start with --recover`)

    const { logger, warnings } = capturingLogger()
    const recovered = await open(dir, clock, { recover: true }, logger)
    // Several blocks; the one damaged is lost whole, every other one is kept.
    expect(block.entries).toBeGreaterThan(0)
    expect(block.entries).toBeLessThan(1000)
    expect(recovered.engine.stats().items).toBe(2000 - block.entries)
    expect(warnings()[0]).toMatchObject({ file: path, offset: block.offset, reason: 'checksum mismatch', skippedRecords: 1 })
  })

  test('a truncated snapshot is refused the same way; --recover keeps every whole block', async () => {
    const { dir, clock, path } = await snapshotOf(2000)
    const file = new Uint8Array(readFileSync(path))
    const cut = file.byteLength - 50
    writeFileSync(path, file.subarray(0, cut))
    await expect(open(dir, clock)).rejects.toThrow(/the file ends in the middle of a record \(truncated\) at offset \d+/)
    const recovered = await open(dir, clock, { recover: true })
    expect(recovered.engine.stats().items).toBe(2000 - blockAt(file, cut).entries)
  })

  test("a damaged record length in the journal is corruption, not a crash's torn tail: the start stops", async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    for (let i = 0; i < 5; i++) first.engine.set(`k${i}`, bytes('v'), 'text/plain')
    await first.persistence.durable()
    first.crash()
    const journal = join(dir, 'journal-1.fcj')
    const file = readFileSync(journal)
    file[16 + 1]! ^= 0x40 // the first record's length
    writeFileSync(journal, file)
    await expect(open(dir, clock)).rejects.toThrow(/a damaged record length at offset 16/)
    expect(readFileSync(journal).byteLength).toBe(file.byteLength) // nothing was cut off
  })

  test('a torn last journal record (a crash mid-write) is cut off with a warning, and appends continue after it', async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    first.engine.set('a', bytes('1'), 'text/plain')
    first.engine.set('b', bytes('2'), 'text/plain')
    await first.persistence.durable()
    first.crash()
    const journal = join(dir, 'journal-1.fcj')
    const file = readFileSync(journal)
    writeFileSync(journal, file.subarray(0, file.byteLength - 3))

    const { logger, warnings } = capturingLogger()
    const second = await open(dir, clock, {}, logger)
    expect(text(second.engine.peek('a'))).toBe('1')
    expect(second.engine.peek('b')).toBeUndefined()
    expect(warnings()[0]?.message).toContain('incomplete record')
    second.engine.set('c', bytes('3'), 'text/plain')
    await second.persistence.durable()
    second.crash()
    const third = await open(dir, clock)
    expect([text(third.engine.peek('a')), text(third.engine.peek('c'))]).toEqual(['1', '3'])
  })

  test('a file that is not ours is named', async () => {
    const dir = dataDir()
    writeFileSync(join(dir, 'snapshot.fcs'), 'hello, this is not a snapshot')
    await expect(open(dir, new ManualClock())).rejects.toThrow(
      `${join(dir, 'snapshot.fcs')}: not a fastcache snapshot (bad magic) at offset 0`,
    )
  })
})
