import { readFileSync } from 'node:fs'
import type { CacheEngine } from '../cache'
import type { Logger } from '../log/logger'
import { HEADER_BYTES, JOURNAL_MAGIC, Op, SNAPSHOT_MAGIC, decodeHeader, readRecord, type Mutation } from './format'

/** A damaged file and where; the start stops with this unless --recover. */
export class PersistenceError extends Error {}

/** Files larger than this log their loading progress. */
const PROGRESS_BYTES = 16 * 1024 * 1024

export interface Loaded {
  generation: number
  records: number
  /** Where the file's intact part ends (a torn tail or, with --recover, damage is cut off there). */
  validBytes: number
  /** Bytes skipped after damage (with --recover) or a torn tail. */
  skippedBytes: number
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
 * Loads one snapshot or journal into the engine. A snapshot must end with its End record; a journal
 * may end in a torn record (a crash during an append: that write was never acknowledged), which is
 * cut off with a warning. Anything else damaged throws, naming the file and offset, unless `recover`,
 * which keeps every record before the damage and reports what was skipped.
 */
export function loadFile(engine: CacheEngine, path: string, kind: 'snapshot' | 'journal', recover: boolean, logger: Logger): Loaded {
  const file = new Uint8Array(readFileSync(path))
  const header = decodeHeader(file, kind === 'snapshot' ? SNAPSHOT_MAGIC : JOURNAL_MAGIC)
  if (typeof header === 'string') {
    if (!recover) throw new PersistenceError(`${path}: ${header} at offset 0 (start with --recover to skip this file)`)
    logger.warn('skipped a damaged file', { file: path, offset: 0, reason: header, skippedBytes: file.byteLength })
    return { generation: -1, records: 0, validBytes: 0, skippedBytes: file.byteLength }
  }
  let offset = HEADER_BYTES
  let records = 0
  let complete = kind === 'journal'
  let nextProgress = PROGRESS_BYTES
  const started = performance.now()
  for (;;) {
    const read = readRecord(file, offset)
    if (read.kind === 'end') break
    if (read.kind === 'record') {
      if (read.mutation.op === Op.End) {
        if (read.mutation.count !== records) return damaged(`the snapshot says ${read.mutation.count} entries but holds ${records}`)
        engine.keepVersionsAbove(read.mutation.lastVersion)
        complete = true
        offset = read.next
        break
      }
      apply(engine, read.mutation)
      records++
      offset = read.next
      if (offset >= nextProgress) {
        logger.info(`loading ${kind}`, { file: path, percent: Math.floor((100 * offset) / file.byteLength), records })
        nextProgress += PROGRESS_BYTES
      }
      continue
    }
    if (read.kind === 'torn' && kind === 'journal') {
      logger.warn('the journal ends in an incomplete record (a crash during a write); it is cut off', { file: path, offset, bytes: file.byteLength - offset })
      return { generation: header, records, validBytes: offset, skippedBytes: file.byteLength - offset }
    }
    return damaged(read.kind === 'torn' ? 'the file ends in the middle of a record (truncated)' : read.reason)
  }
  if (!complete) return damaged('the snapshot has no end record (truncated)')
  if (offset !== file.byteLength) return damaged('data after the end record')
  if (file.byteLength >= PROGRESS_BYTES) logger.info(`loaded ${kind}`, { file: path, records, ms: Math.round(performance.now() - started) })
  return { generation: header, records, validBytes: offset, skippedBytes: 0 }

  function damaged(reason: string): Loaded {
    if (!recover) throw new PersistenceError(`${path}: ${reason} at offset ${offset} (start with --recover to load what precedes it)`)
    logger.warn('skipped the damaged rest of a file', { file: path, offset, reason, recordsLoaded: records, skippedBytes: file.byteLength - offset })
    return { generation: header as number, records, validBytes: offset, skippedBytes: file.byteLength - offset }
  }
}
