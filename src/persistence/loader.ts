import { emptyRawEntry, type CacheEngine } from '../cache'
import type { Logger } from '../log/logger'
import { MIN_ENTRY_BYTES, checkBlock, readBlock } from './entry-block'
import { PersistenceError } from './errors'
import { FileWindow } from './file-window'
import {
  HEADER_BYTES,
  JOURNAL_MAGIC,
  Op,
  RECORD_HEADER_BYTES,
  SNAPSHOT_MAGIC,
  TypeNames,
  decodeHeader,
  decodePayload,
  framedLength,
  isCutHeader,
  readFrame,
  readSet,
  type Mutation,
} from './format'
import { resync } from './resync'

/** Files larger than this log their loading progress. */
const PROGRESS_BYTES = 16 * 1024 * 1024
/** Loading yields to the event loop this often, so /health and /health/ready answer during a long load. */
const YIELD_EVERY_MS = 20

/** What --recover skipped in one file. */
export interface Damage {
  /** Where the first damage is, and what it is. */
  offset: number
  reason: string
  /** Damaged spots skipped (each held at least one record) and their bytes. */
  skippedRecords: number
  skippedBytes: number
}

export interface Loaded {
  /** From the header; -1 when the header itself is damaged. */
  generation: number
  records: number
  /** Where the file's intact part ends: a torn last record starts there, and appends continue there. */
  validBytes: number
  /** Set only with --recover, when the file is damaged; such a file is never appended to. */
  damage: Damage | null
}

/** Applies a record other than Set, Entries and End (which the loader handles itself). */
function apply(engine: CacheEngine, mutation: Mutation): void {
  switch (mutation.op) {
    case Op.Delete:
      engine.replay.delete(mutation.key)
      break
    case Op.DeletePrefix:
      engine.replay.deletePrefix(mutation.key)
      break
    case Op.Flush:
      engine.replay.flush()
      break
    case Op.Touch:
      engine.replay.touch(mutation.key, mutation.expiresAt)
      break
  }
}

/**
 * Loads one snapshot or journal into the engine. Two things a crash leaves in a journal are not
 * damage and are dropped with a warning: a journal cut inside its header (it was being created) and
 * a torn last record (it was being appended: that write was never acknowledged). A snapshot must end
 * with its End record. Any other damage throws, naming the file and offset, unless `recover`: then
 * each damaged record is skipped and reading resumes at the next intact one (see `resync`).
 */
export async function loadFile(
  engine: CacheEngine,
  path: string,
  kind: 'snapshot' | 'journal',
  recover: boolean,
  logger: Logger,
): Promise<Loaded> {
  const file = await FileWindow.open(path)
  try {
    return await loadFrom(file, engine, path, kind, recover, logger)
  } finally {
    await file.close()
  }
}

async function loadFrom(
  file: FileWindow,
  engine: CacheEngine,
  path: string,
  kind: 'snapshot' | 'journal',
  recover: boolean,
  logger: Logger,
): Promise<Loaded> {
  await file.ensure(0, HEADER_BYTES)
  if (kind === 'journal' && isCutHeader(file.bytes, JOURNAL_MAGIC)) {
    const message = 'the journal ends inside its header (a crash while it was created); it is taken as empty'
    logger.warn(message, { file: path, bytes: file.size })
    return { generation: -1, records: 0, validBytes: 0, damage: null }
  }
  const header = decodeHeader(file.bytes, kind === 'snapshot' ? SNAPSHOT_MAGIC : JOURNAL_MAGIC)
  if (typeof header === 'string') {
    if (!recover) throw new PersistenceError(`${path}: ${header} at offset 0 (start with --recover to skip this file)`)
    const damage = { offset: 0, reason: header, skippedRecords: 1, skippedBytes: file.size }
    keepVersionsPast(engine, damage)
    return { generation: -1, records: 0, validBytes: 0, damage }
  }
  let offset = HEADER_BYTES
  let records = 0
  let damage: Damage | null = null
  let ended = false
  let nextProgress = PROGRESS_BYTES
  const started = performance.now()
  let lastYield = started
  let recordsAtCheck = 0
  // Every entry is read into this one object, its key and value bytes left in the file's buffer.
  const entry = emptyRawEntry()
  const types = new TypeNames()
  const load = (loaded: typeof entry) => void engine.load(loaded)

  const skip = async (reason: string, toEnd = false) => {
    if (!recover) {
      const hint = '(start with --recover to skip the damaged records and keep the rest)'
      throw new PersistenceError(`${path}: ${reason} at offset ${offset} ${hint}`)
    }
    let to = file.size
    if (!toEnd) {
      // Only here is the rest of the file read at once: finding the next intact record may take all of it.
      await file.ensure(offset, file.size - offset)
      to = file.start + resync(file.bytes, offset - file.start)
    }
    damage ??= { offset, reason, skippedRecords: 0, skippedBytes: 0 }
    damage.skippedRecords++
    damage.skippedBytes += to - offset
    offset = to
  }

  while (offset < file.size) {
    if (ended) {
      await skip('data after the end record', true)
      break
    }
    // The header first: its length, once it agrees with its inverse, says how much more to read.
    // (Awaited only when something must be read: most records are in the window already.)
    if (!file.holds(offset, RECORD_HEADER_BYTES)) await file.ensure(offset, RECORD_HEADER_BYTES)
    const length = framedLength(file.bytes, offset - file.start)
    const whole = RECORD_HEADER_BYTES + length
    if (length >= 0 && offset + whole <= file.size && !file.holds(offset, whole)) await file.ensure(offset, whole)
    const read = readFrame(file.bytes, offset - file.start)
    if (read.kind === 'torn' && kind === 'journal') {
      logger.warn('the journal ends in an incomplete record (a crash during a write); it is cut off', {
        file: path,
        offset,
        bytes: file.size - offset,
      })
      return { generation: header, records, validBytes: offset, damage }
    }
    if (read.kind !== 'record') {
      await skip(
        read.kind === 'torn' ? 'the file ends in the middle of a record (truncated)' : read.kind === 'corrupt' ? read.reason : 'end',
      )
      continue
    }
    const bytes = file.bytes
    const op = bytes[read.start]
    if (op === Op.Set) {
      const wrong = readSet(bytes, read.start, read.end, entry, types)
      if (wrong !== null) {
        await skip(wrong)
        continue
      }
      engine.load(entry)
      records++
    } else if (op === Op.Entries) {
      const block = checkBlock(bytes, read.start, read.end)
      if (typeof block === 'string') {
        await skip(block)
        continue
      }
      records += readBlock(bytes, read.start, block, entry, load)
    } else {
      let mutation: Mutation
      try {
        mutation = decodePayload(bytes.subarray(read.start, read.end))
      } catch (error) {
        await skip((error as Error).message)
        continue
      }
      if (mutation.op === Op.Expect) {
        // A hint, bounded by what the rest of the file could hold.
        engine.expect(Math.min(mutation.entries, Math.floor((file.size - offset) / MIN_ENTRY_BYTES)))
      } else if (mutation.op === Op.End) {
        // Counts differ after skipped records; without any, a wrong count is damage of its own.
        if (damage === null && mutation.count !== records) {
          await skip(`the snapshot says ${mutation.count} entries but holds ${records}`, true)
          break
        }
        engine.keepVersionsAbove(mutation.lastVersion)
        ended = true
      } else {
        apply(engine, mutation)
        records++
      }
    }
    offset += RECORD_HEADER_BYTES + (read.end - read.start)
    if (records - recordsAtCheck >= 256) {
      recordsAtCheck = records
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve))
        lastYield = performance.now()
      }
    }
    if (offset >= nextProgress) {
      logger.info(`loading ${kind}`, { file: path, percent: Math.floor((100 * offset) / file.size), records })
      nextProgress += PROGRESS_BYTES
    }
  }
  if (kind === 'snapshot' && !ended) await skip('the snapshot has no end record (truncated)', true)
  if (damage !== null) keepVersionsPast(engine, damage)
  if (file.size >= PROGRESS_BYTES) logger.info(`loaded ${kind}`, { file: path, records, ms: Math.round(performance.now() - started) })
  return { generation: header, records, validBytes: offset, damage }
}

/**
 * A skipped record may have held the newest version. Every set takes one version, so the counter
 * moves past as many as the skipped bytes could hold: no ETag is handed out twice.
 */
function keepVersionsPast(engine: CacheEngine, damage: Damage): void {
  engine.keepVersionsAbove(engine.currentVersion + Math.ceil(damage.skippedBytes / MIN_ENTRY_BYTES))
}
