import { readFileSync } from 'node:fs'
import type { CacheEngine } from '../cache'
import type { Logger } from '../log/logger'
import { PersistenceError } from './errors'
import {
  HEADER_BYTES,
  JOURNAL_MAGIC,
  MIN_SET_RECORD_BYTES,
  Op,
  SNAPSHOT_MAGIC,
  decodeHeader,
  isCutHeader,
  readRecord,
  resync,
  type Mutation,
} from './format'

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

function apply(engine: CacheEngine, mutation: Mutation): void {
  switch (mutation.op) {
    case Op.Set:
      engine.restore(mutation.entry)
      break
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
    case Op.End:
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
  const file = new Uint8Array(readFileSync(path))
  if (kind === 'journal' && isCutHeader(file, JOURNAL_MAGIC)) {
    const message = 'the journal ends inside its header (a crash while it was created); it is taken as empty'
    logger.warn(message, { file: path, bytes: file.byteLength })
    return { generation: -1, records: 0, validBytes: 0, damage: null }
  }
  const header = decodeHeader(file, kind === 'snapshot' ? SNAPSHOT_MAGIC : JOURNAL_MAGIC)
  if (typeof header === 'string') {
    if (!recover) throw new PersistenceError(`${path}: ${header} at offset 0 (start with --recover to skip this file)`)
    const damage = { offset: 0, reason: header, skippedRecords: 1, skippedBytes: file.byteLength }
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

  const skip = (reason: string, to: number) => {
    if (!recover) {
      const hint = '(start with --recover to skip the damaged records and keep the rest)'
      throw new PersistenceError(`${path}: ${reason} at offset ${offset} ${hint}`)
    }
    damage ??= { offset, reason, skippedRecords: 0, skippedBytes: 0 }
    damage.skippedRecords++
    damage.skippedBytes += to - offset
    offset = to
  }

  while (offset < file.byteLength) {
    if (ended) {
      skip('data after the end record', file.byteLength)
      break
    }
    const read = readRecord(file, offset)
    if (read.kind === 'end') break
    if (read.kind === 'torn' && kind === 'journal') {
      logger.warn('the journal ends in an incomplete record (a crash during a write); it is cut off', {
        file: path,
        offset,
        bytes: file.byteLength - offset,
      })
      return { generation: header, records, validBytes: offset, damage }
    }
    if (read.kind !== 'record') {
      skip(read.kind === 'torn' ? 'the file ends in the middle of a record (truncated)' : read.reason, resync(file, offset))
      continue
    }
    const mutation = read.mutation
    if (mutation.op === Op.End) {
      // Counts differ after skipped records; without any, a wrong count is damage of its own.
      if (damage === null && mutation.count !== records) skip(`the snapshot says ${mutation.count} entries but holds ${records}`, offset)
      engine.keepVersionsAbove(mutation.lastVersion)
      ended = true
    } else {
      apply(engine, mutation)
      records++
    }
    offset = read.next
    if ((records & 1023) === 0 && performance.now() - lastYield > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve))
      lastYield = performance.now()
    }
    if (offset >= nextProgress) {
      logger.info(`loading ${kind}`, { file: path, percent: Math.floor((100 * offset) / file.byteLength), records })
      nextProgress += PROGRESS_BYTES
    }
  }
  if (kind === 'snapshot' && !ended) skip('the snapshot has no end record (truncated)', offset)
  if (damage !== null) keepVersionsPast(engine, damage)
  if (file.byteLength >= PROGRESS_BYTES) logger.info(`loaded ${kind}`, { file: path, records, ms: Math.round(performance.now() - started) })
  return { generation: header, records, validBytes: offset, damage }
}

/**
 * A skipped record may have held the newest version. Every set takes one version, so the counter
 * moves past as many as the skipped bytes could hold: no ETag is handed out twice.
 */
function keepVersionsPast(engine: CacheEngine, damage: Damage): void {
  engine.keepVersionsAbove(engine.currentVersion + Math.ceil(damage.skippedBytes / MIN_SET_RECORD_BYTES))
}
