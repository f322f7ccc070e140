import { describe, expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ManualClock } from '../../src/cache'
import { PersistenceError } from '../../src/persistence'
import { frame } from '../../src/persistence/format'
import { bytes, capturingLogger, cleanUpAfterEach, dataDir, open, recordOffsets } from '../support/persistence'

cleanUpAfterEach()

// Snapshots in format 2: entries in blocks, one CRC each, read in chunks.

function valueFor(length: number, tag: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (tag * 31 + i * 7) & 0xff)
}

describe('persistence: snapshot blocks', () => {
  test('a snapshot larger than a read chunk, with one entry larger than a chunk, loads byte for byte', async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    for (let i = 0; i < 3000; i++) first.engine.set(`k${i}`, valueFor(2000 + (i % 7), i), 'application/octet-stream')
    first.engine.set('huge', valueFor(5 * 1024 * 1024, 7), 'application/octet-stream')
    await first.close()
    expect(readFileSync(join(dir, 'snapshot.fcs')).byteLength).toBeGreaterThan(10 * 1024 * 1024)

    const second = await open(dir, clock)
    expect(second.engine.stats().items).toBe(3001)
    for (let i = 0; i < 3000; i += 1) expect(second.engine.peek(`k${i}`)?.value).toEqual(valueFor(2000 + (i % 7), i))
    expect(second.engine.peek('huge')?.value).toEqual(valueFor(5 * 1024 * 1024, 7))
  })

  test('a block whose CRC holds but whose fields do not (a key that is not UTF-8) is refused, and --recover skips all of it', async () => {
    const dir = dataDir()
    const clock = new ManualClock()
    const first = await open(dir, clock)
    for (let i = 0; i < 10; i++) first.engine.set(`key${i}`, bytes(`value ${i}`), 'text/plain')
    await first.close()
    const path = join(dir, 'snapshot.fcs')
    const file = new Uint8Array(readFileSync(path))
    // Records: the expected count, one block, the end record. The fifth key's first byte becomes 0xff.
    const [, block, end] = recordOffsets(file)
    const at = Buffer.from(file).indexOf('key4')
    expect(at).toBeGreaterThan(block!)
    file[at] = 0xff
    frame(file, block!, end! - block! - 12)
    writeFileSync(path, file)

    await expect(open(dir, clock)).rejects.toThrow(
      new PersistenceError(
        `${path}: a key or content type that is not UTF-8 at offset ${block} (start with --recover to skip the damaged records and keep the rest)`,
      ),
    )
    const { logger, warnings } = capturingLogger()
    const recovered = await open(dir, clock, { recover: true }, logger)
    // Not even the entries before the bad key: a block is loaded whole or not at all.
    expect(recovered.engine.stats().items).toBe(0)
    expect(warnings()[0]).toMatchObject({ offset: block, reason: 'a key or content type that is not UTF-8', skippedRecords: 1 })
  })
})
